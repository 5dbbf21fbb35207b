/**
 * The contract between `StageComposition` (lib/) and the function that starts compositions (handlers/composition).
 *
 * Both sides import this module, so a renamed key breaks the build instead of a deployment. It must stay
 * dependency-free: esbuild bundles it into the function. The SDK's types are imported as types only, which compile
 * away (and which jsii never sees: nothing public names them).
 */
import type { DestinationConfiguration, LayoutConfiguration } from '@aws-sdk/client-ivs-realtime';
import type { StageTagFilter } from './stage-pool-contract';

/** The environment variable holding the function's configuration, as JSON. */
export const COMPOSITION_CONFIG_ENV = 'IVS_COMPOSITION_CONFIG';

/**
 * The tag the function puts on every composition it starts, valued with the `StageComposition`'s key: how it tells
 * its own compositions from those of other constructs or apps on the same stage.
 */
export const COMPOSITION_OWNER_TAG = 'cdk-ivs-realtime:stage-composition';

/** What the function needs to know, rendered by the construct (ARNs resolved by CloudFormation). */
export interface CompositionFunctionConfig {
  /** Identifies this construct's compositions: the value of `COMPOSITION_OWNER_TAG`. */
  readonly key: string;
  /** The stages composed; events of any other stage are ignored (but those of `stageTag`). */
  readonly stageArns: string[];
  /**
   * The stages composed by their tag instead, a `StagePool`'s (made at run time, so no ARN is known at synth): the rule
   * takes every stage's events, and the function composes those whose tag `key` has `value`.
   */
  readonly stageTag?: StageTagFilter;
  /** The API's `layout`, as StartComposition takes it. */
  readonly layout: LayoutConfiguration;
  /** The API's `destinations`, as StartComposition takes them. */
  readonly destinations: DestinationConfiguration[];
  /** Tags for each composition, besides `COMPOSITION_OWNER_TAG`. */
  readonly tags: Record<string, string>;
  /** Whether the function stops the composition once the session has no publisher left. */
  readonly stopOnSessionEnd: boolean;
}

/** The EventBridge events the function handles (and the stage event helpers filter for). */
export const IvsEventName = {
  /** detail-type of participant events. */
  STAGE_UPDATE: 'IVS Stage Update',
  PARTICIPANT_PUBLISHED: 'Participant Published',
  PARTICIPANT_UNPUBLISHED: 'Participant Unpublished',
} as const;
