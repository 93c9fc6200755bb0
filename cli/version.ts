// The CLI's version: `kubently --version` and the User-Agent of `kubently mcp`.

export const CLI_VERSION = '0.1.0';
