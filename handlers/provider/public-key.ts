import { DeletePublicKeyCommand, GetPublicKeyCommand, ImportPublicKeyCommand, IVSRealTimeClient, PublicKey } from '@aws-sdk/client-ivs-realtime';
import { Attribute, PublicKeyRequest } from '../../lib/private/contract';
import { describeError, isConflict } from '../shared/errors';
import { ResourceHandler } from './resource-handler';

/** Public keys have no update call: any change but tags imports a new one. */
export function publicKeyHandler(ivs: IVSRealTimeClient): ResourceHandler<PublicKeyRequest, PublicKey> {
  return {
    noun: 'public key',

    async create(request, tags) {
      try {
        return (await ivs.send(new ImportPublicKeyCommand({ ...request, tags }))).publicKey!;
      } catch (error) {
        if (!isConflict(error)) {
          throw error;
        }
        // a replacement that keeps the key (a new name only) imports it while the old resource still holds it.
        throw new Error(`${describeError(error)} (IVS holds a key only once per account and region: `
          + 'to rename a public key, import a new key pair)');
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
  };
}
