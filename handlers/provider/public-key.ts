import { DeletePublicKeyCommand, GetPublicKeyCommand, ImportPublicKeyCommand, PublicKey } from '@aws-sdk/client-ivs-realtime';
import { Attribute } from '../../lib/private/contract';
import { ivsClient } from '../shared/client';
import { describeError, isConflict } from '../shared/errors';
import { Outcome, ResourceHandler } from './resource-handler';

/**
 * Public keys have no update call: any change but tags imports a new one. The fingerprint is read back on a
 * tags-only update, because CloudFormation keeps only the attributes of the latest response.
 */
export const publicKeyHandler: ResourceHandler = {
  noun: 'public key',
  scalars: {},
  updatableKeys: [],

  async create(config, tags) {
    try {
      const { publicKey } = await ivsClient().send(new ImportPublicKeyCommand({ ...config, publicKeyMaterial: config.publicKeyMaterial, tags }));
      return publicKeyOutcome(publicKey);
    } catch (error) {
      if (!isConflict(error)) {
        throw error;
      }
      // a replacement that keeps the key (a new name only) imports it while the old resource still holds it.
      throw new Error(`${describeError(error)} (IVS holds a key only once per account and region: `
        + 'to rename a public key, import a new key pair)');
    }
  },

  async describe(arn) {
    const { publicKey } = await ivsClient().send(new GetPublicKeyCommand({ arn }));
    return publicKeyOutcome(publicKey);
  },

  async read(arn) {
    return (await ivsClient().send(new GetPublicKeyCommand({ arn }))).publicKey;
  },

  async delete(arn) {
    await ivsClient().send(new DeletePublicKeyCommand({ arn }));
  },
};

function publicKeyOutcome(publicKey: PublicKey | undefined): Outcome {
  if (!publicKey?.arn) {
    throw new Error('the service returned no public key');
  }
  return { arn: publicKey.arn, attributes: { [Attribute.PUBLIC_KEY_FINGERPRINT]: publicKey.fingerprint ?? '' } };
}
