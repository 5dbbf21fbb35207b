import {
  DeletePublicKeyCommand, GetPublicKeyCommand, ImportPublicKeyCommand, IVSRealTimeClient, paginateListPublicKeys, PublicKey,
} from '@aws-sdk/client-ivs-realtime';
import { Attribute, PublicKeyRequest } from '../../lib/private/contract';
import { describeError, isConflict } from '../shared/errors';
import { createdBy, listAll, ReplacedOnChange } from './resource-handler';

/**
 * Public keys have no update call: any change but tags imports a new one. `whenHeld` says what to do when IVS already
 * holds the key (it holds each once per account and region).
 */
export function publicKeyHandler(ivs: IVSRealTimeClient, whenHeld = 'to rename a public key, import a new key pair'):
ReplacedOnChange<PublicKeyRequest, PublicKey> {
  return {
    noun: 'public key',

    async create(request, tags, context) {
      try {
        return (await context.send(ivs, new ImportPublicKeyCommand({ ...request, tags }))).publicKey!;
      } catch (error) {
        if (!isConflict(error)) {
          throw error;
        }
        // held already: by the old resource of a replacement that keeps the key (a new name only), or by another resource.
        throw new Error(`${describeError(error)} (IVS holds a key only once per account and region: ${whenHeld})`);
      }
    },

    async get(arn) {
      return (await ivs.send(new GetPublicKeyCommand({ arn }))).publicKey;
    },

    attributes(publicKey) {
      return { [Attribute.PUBLIC_KEY_FINGERPRINT]: publicKey.fingerprint ?? '' };
    },

    async delete(arn) {
      await ivs.send(new DeletePublicKeyCommand({ arn }));
    },

    findCreated: (token) => findPublicKeysCreated(ivs, token),
  };
}

/** The public keys the request of `token` imported. */
export async function findPublicKeysCreated(ivs: IVSRealTimeClient, token: string): Promise<string[]> {
  return createdBy(await listAll(paginateListPublicKeys({ client: ivs }, { maxResults: 100 }), (page) => page.publicKeys), token);
}
