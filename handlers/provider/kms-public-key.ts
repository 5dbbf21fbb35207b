import { createPublicKey } from 'crypto';
import { IVSRealTimeClient, PublicKey } from '@aws-sdk/client-ivs-realtime';
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { KmsPublicKeyRequest } from '../../lib/private/contract';
import { findPublicKeysCreated, publicKeyHandler } from './public-key';
import { ResourceHandler } from './resource-handler';

/** IVS verifies self-signed participant tokens as ES384: ECDSA on P-384, the KMS key spec and usage below. */
const KEY_SPEC = 'ECC_NIST_P384';
const KEY_USAGE = 'SIGN_VERIFY';

/**
 * A public key imported from a KMS key: the handler reads the public half (`kms:GetPublicKey`) and imports it as PEM, so
 * that the template, the response and the logs hold the key's ARN only. Everything but the create is a public key's.
 */
export function kmsPublicKeyHandler(ivs: IVSRealTimeClient, kms: KMSClient): ResourceHandler<KmsPublicKeyRequest, PublicKey> {
  const publicKeys = publicKeyHandler(ivs, 'each KMS key backs one IVS public key: give each signing key its own KMS key');
  return {
    ...publicKeys,
    async create({ kmsKeyArn, ...request }, tags, context) {
      return publicKeys.create({ ...request, publicKeyMaterial: await publicKeyPem(kms, kmsKeyArn) }, tags, context);
    },
    findCreated: (token) => findPublicKeysCreated(ivs, token),
  };
}

async function publicKeyPem(kms: KMSClient, keyId: string): Promise<string> {
  const { PublicKey: der, KeySpec, KeyUsage } = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  if (KeySpec !== KEY_SPEC || KeyUsage !== KEY_USAGE || !der) {
    throw new Error(`KMS key ${keyId} is a ${KeySpec} key for ${KeyUsage}: IVS verifies participant tokens signed with ES384, `
      + `which needs a ${KEY_SPEC} key for ${KEY_USAGE}`);
  }
  return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }).toString();
}
