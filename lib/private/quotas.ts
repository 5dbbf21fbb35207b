import { Annotations, AspectPriority, Aspects, IAspect, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** An IVS Real-Time quota on how many resources of one type an account may hold in a region. */
export interface ResourceQuota {
  /** The quota's name, as the user guide's Service Quotas page and the Service Quotas console give it. */
  readonly name: string;
  /** What it counts, in the plural ("encoder configurations"). */
  readonly resources: string;
  /** The default limit, per account and region. */
  readonly defaultLimit: number;
  /** What to do instead of raising it. */
  readonly alternative: string;
}

/**
 * IVS Real-Time User Guide, "Service Quotas" (https://docs.aws.amazon.com/ivs/latest/RealTimeUserGuide/service-quotas.html),
 * Other Quotas: "EncoderConfigurations | 20 | Yes (adjustable) | Maximum number of EncoderConfiguration objects per
 * account"; the page says all quotas are enforced per region. (The page's other rows, as read, are composition
 * destinations and duration, which synth checks or cannot know; no other resource count is listed there.)
 */
export const ENCODER_CONFIGURATIONS_QUOTA: ResourceQuota = {
  name: 'EncoderConfigurations',
  resources: 'encoder configurations',
  defaultLimit: 20,
  alternative: 'share encoder configurations between compositions (a destination can name one)',
};

/**
 * IVS Real-Time User Guide, "Service Quotas": "Stages | 1,000 | Yes (adjustable)" per Region (read 2026-12-07 from a
 * stored copy, reference/ivs-realtime-service-facts.md: confirm the English page's row). `StagePool`'s alarm counts
 * towards it.
 */
export const STAGES_QUOTA: ResourceQuota = {
  name: 'Stages',
  resources: 'stages',
  defaultLimit: 1000,
  alternative: 'lower the pool\'s timeouts so that stages whose sessions are over are deleted sooner',
};

/** The warning's ID, to acknowledge it with `Annotations.of(scope).acknowledgeWarning(id)`. */
export const QUOTA_WARNING_ID = 'cdk-ivs-realtime:resourceQuota';

// global symbols, so that several copies of this library in one app count together, with one check.
const COUNTED = Symbol.for('cdk-ivs-realtime.quotas.counted');
const CHECKED = Symbol.for('cdk-ivs-realtime.quotas.checked');

/**
 * Counts `construct` as one resource of `quota` when the app synthesizes: the app warns (never fails: quotas can be
 * raised) if it defines more for one account and region than the default limit allows. Stacks count together when
 * they name the same account and region; environment-agnostic stacks count together too (they may well be deployed to
 * one account and region).
 */
export function countTowardsQuota(construct: IConstruct, quota: ResourceQuota): void {
  const marked = construct as unknown as Record<symbol, ResourceQuota[] | undefined>;
  marked[COUNTED] = [...(marked[COUNTED] ?? []), quota];
  const root = construct.node.root as unknown as Record<symbol, boolean | undefined> & IConstruct;
  if (!root[CHECKED]) {
    root[CHECKED] = true;
    // read-only: after every aspect that may still add constructs.
    Aspects.of(root).add(new QuotaCheck(root), { priority: AspectPriority.READONLY });
  }
}

/** Visits the app's root once, and counts every marked construct of the tree by quota, account and region. */
class QuotaCheck implements IAspect {
  constructor(private readonly root: IConstruct) {}

  public visit(node: IConstruct): void {
    if (node !== this.root) {
      return;
    }
    const groups = new Map<string, { quota: ResourceQuota; where: string; constructs: IConstruct[] }>();
    for (const construct of this.root.node.findAll()) {
      for (const quota of (construct as unknown as Record<symbol, ResourceQuota[] | undefined>)[COUNTED] ?? []) {
        const where = environmentOf(construct);
        const key = `${quota.name} ${where}`;
        const group = groups.get(key) ?? { quota, where, constructs: [] };
        group.constructs.push(construct);
        groups.set(key, group);
      }
    }
    for (const { quota, where, constructs } of groups.values()) {
      if (constructs.length > quota.defaultLimit) {
        // on the first construct over the limit: one warning per account and region, where the excess begins.
        Annotations.of(constructs[quota.defaultLimit]).addWarningV2(QUOTA_WARNING_ID, `This app defines ${constructs.length} `
          + `${quota.resources} for ${where}; IVS allows ${quota.defaultLimit} per account and region by default (quota `
          + `"${quota.name}", adjustable), counting those the account already has, and refuses more with `
          + 'ServiceQuotaExceededException. Before deploying, request an increase in the Service Quotas console '
          + `(https://console.aws.amazon.com/servicequotas/, Amazon Interactive Video Service), or ${quota.alternative}.`);
      }
    }
  }
}

function environmentOf(construct: IConstruct): string {
  const { account, region } = Stack.of(construct);
  const known = (value: string) => !Token.isUnresolved(value);
  if (!known(account) && !known(region)) {
    return 'the environment-agnostic stacks (counted together)';
  }
  return `account ${known(account) ? account : '(any)'} and region ${known(region) ? region : '(any)'}`;
}

/**
 * IVS Real-Time's concurrency quotas, per account and region, adjustable: "Concurrent publishers" 1,000 and "Concurrent
 * subscriptions" 20,000 by default. From the user guide's "Service Quotas" page
 * (https://docs.aws.amazon.com/ivs/latest/RealTimeUserGuide/service-quotas.html) as recorded in the project's service
 * facts (read from a stored copy; the stored copies of the English page read here predate these rows, so they are not
 * confirmed: `IvsRealTimeDashboard` takes the account's own figures as props).
 */
export const CONCURRENT_PUBLISHERS_QUOTA = { name: 'Concurrent publishers', defaultLimit: 1000 };
export const CONCURRENT_SUBSCRIPTIONS_QUOTA = { name: 'Concurrent subscriptions', defaultLimit: 20000 };
