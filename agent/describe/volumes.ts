// describeVolumes: one block per volume source. Secret volumes show the secret's name only.

import type { Volume } from 'kubernetes-types/core/v1.js';
import { sortedKeys } from './format.js';
import { LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, type PrefixWriter } from './prefix-writer.js';
import { canonicalQuantity, parseQuantity } from './quantity.js';

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const bool = (v: unknown) => (v === true ? 'true' : 'false');
/** Go's %v of a *bool as the 1.32 projected-volume printer shows it. */
const boolPtr = (v: unknown) => (v === undefined || v === null ? '<nil>' : bool(v));

function csiAttributes(w: PrefixWriter, attributes: Record<string, string> | undefined): void {
  w.write(LEVEL_2, 'VolumeAttributes:\t');
  const keys = sortedKeys(attributes);
  if (keys.length === 0) {
    w.writeLine('<none>');
    return;
  }
  keys.forEach((key, i) => {
    if (i !== 0) {
      w.write(LEVEL_2, '');
      w.write(LEVEL_2, '\t');
    }
    const line = `${key}=${attributes?.[key]}`;
    w.write(LEVEL_2, line.length > 140 ? `${line.slice(0, 140)}...\n` : `${line}\n`);
  });
}

function describeSource(v: Volume, w: PrefixWriter): void {
  if (v.hostPath) {
    w.write(
      LEVEL_2,
      `Type:\tHostPath (bare host directory volume)\n    Path:\t${str(v.hostPath.path)}\n    HostPathType:\t${v.hostPath.type === undefined || v.hostPath.type === null ? '<none>' : v.hostPath.type}\n`,
    );
  } else if (v.emptyDir) {
    const limit =
      v.emptyDir.sizeLimit !== undefined && parseQuantity(v.emptyDir.sizeLimit).mant > 0n
        ? canonicalQuantity(v.emptyDir.sizeLimit)
        : '<unset>';
    w.write(
      LEVEL_2,
      `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${str(v.emptyDir.medium)}\n    SizeLimit:\t${limit}\n`,
    );
  } else if (v.gitRepo) {
    w.write(
      LEVEL_2,
      `Type:\tGitRepo (a volume that is pulled from git when the pod is created)\n    Repository:\t${str(v.gitRepo.repository)}\n    Revision:\t${str(v.gitRepo.revision)}\n`,
    );
  } else if (v.secret) {
    w.write(
      LEVEL_2,
      `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${str(v.secret.secretName)}\n    Optional:\t${bool(v.secret.optional)}\n`,
    );
  } else if (v.configMap) {
    w.write(
      LEVEL_2,
      `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${str(v.configMap.name)}\n    Optional:\t${bool(v.configMap.optional)}\n`,
    );
  } else if (v.nfs) {
    w.write(
      LEVEL_2,
      `Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t${str(v.nfs.server)}\n    Path:\t${str(v.nfs.path)}\n    ReadOnly:\t${bool(v.nfs.readOnly)}\n`,
    );
  } else if (v.persistentVolumeClaim) {
    w.write(
      LEVEL_2,
      `Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t${str(v.persistentVolumeClaim.claimName)}\n    ReadOnly:\t${bool(v.persistentVolumeClaim.readOnly)}\n`,
    );
  } else if (v.downwardAPI) {
    w.write(LEVEL_2, 'Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n');
    for (const item of v.downwardAPI.items ?? []) {
      if (item.fieldRef) w.write(LEVEL_3, `${item.fieldRef.fieldPath} -> ${item.path}\n`);
      if (item.resourceFieldRef) w.write(LEVEL_3, `${item.resourceFieldRef.resource} -> ${item.path}\n`);
    }
  } else if (v.projected) {
    w.write(LEVEL_2, 'Type:\tProjected (a volume that contains injected data from multiple sources)\n');
    for (const s of v.projected.sources ?? []) {
      if (s.secret)
        w.write(
          LEVEL_2,
          `SecretName:\t${str(s.secret.name)}\n    SecretOptionalName:\t${boolPtr(s.secret.optional)}\n`,
        );
      else if (s.downwardAPI) w.write(LEVEL_2, 'DownwardAPI:\ttrue\n');
      else if (s.configMap)
        w.write(
          LEVEL_2,
          `ConfigMapName:\t${str(s.configMap.name)}\n    ConfigMapOptional:\t${boolPtr(s.configMap.optional)}\n`,
        );
      else if (s.serviceAccountToken)
        w.write(LEVEL_2, `TokenExpirationSeconds:\t${s.serviceAccountToken.expirationSeconds ?? 0}\n`);
    }
  } else if (v.csi) {
    w.write(
      LEVEL_2,
      `Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t${str(v.csi.driver)}\n    FSType:\t${str(v.csi.fsType)}\n    ReadOnly:\t${bool(v.csi.readOnly)}\n`,
    );
    csiAttributes(w, v.csi.volumeAttributes);
  } else if (v.ephemeral) {
    w.write(
      LEVEL_2,
      'Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n',
    );
  } else {
    w.write(LEVEL_1, '<unknown>\n');
  }
}

export function describeVolumes(volumes: Volume[] | undefined, w: PrefixWriter, space: string): void {
  const list = volumes ?? [];
  if (list.length === 0) {
    w.write(LEVEL_0, `${space}Volumes:\t<none>\n`);
    return;
  }
  w.write(LEVEL_0, `${space}Volumes:\n`);
  const nameIndent = space.length > 0 ? ' ' : '';
  for (const v of list) {
    w.write(LEVEL_1, `${nameIndent}${v.name}:\n`);
    describeSource(v, w);
  }
}
