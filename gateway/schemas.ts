// How the gateway's routes refer to the API's schemas (common/api.ts): the shared bodies are registered once
// by buildGateway and referenced by `$ref`, so /openapi.json names them as components.

import {
  clusterIdSchema,
  commandResultSchema,
  errorBodySchema,
  idSchema,
  refusedResultSchema,
  sessionBodySchema,
} from '../common/api.js';

/** Registered with app.addSchema before any route. */
export const sharedSchemas = [errorBodySchema, commandResultSchema, refusedResultSchema, sessionBodySchema];

export const clusterId = clusterIdSchema;
export const idParam = idSchema;
export const errorRef = { $ref: 'ErrorBody#' } as const;
export const resultRef = { $ref: 'CommandResult#' } as const;
export const refusedRef = { $ref: 'RefusedResult#' } as const;
export const sessionRef = { $ref: 'Session#' } as const;
