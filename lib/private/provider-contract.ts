/**
 * The contract between the provider (lib/private/provider.ts) and its handler (handlers/provider) for the handler's own
 * settings. Both sides import it; it must stay dependency-free: esbuild bundles it into the handler.
 */

/** The environment variable naming the stack's create-request table (handlers/provider/create-requests.ts). */
export const CREATE_REQUESTS_TABLE_VARIABLE = 'CREATE_REQUESTS_TABLE';
