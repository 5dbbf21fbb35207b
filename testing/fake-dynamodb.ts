/**
 * A local fake of the DynamoDB item operations, PutItem, GetItem, UpdateItem and DeleteItem, and of Scan, on 127.0.0.1: the
 * awsJson1.0 wire format (`X-Amz-Target: DynamoDB_20120810.<Operation>`, errors as
 * `{"__type": "com.amazonaws.dynamodb.v20120810#<type>", "message"}`), so the real `@aws-sdk/client-dynamodb` runs
 * unchanged against it (`AWS_ENDPOINT_URL_DYNAMODB`, or `endpoint` in its config).
 *
 * Tables exist only once made: by `createTable(name, partitionKeyName)`, or by `mirror()` when the lifecycle driver
 * creates an `AWS::DynamoDB::Table` or `AWS::DynamoDB::GlobalTable` (its physical ID, which `Ref` gives, is the table name;
 * its key the `KeySchema`'s HASH attribute; deleting it drops its items). Only partition keys are modelled: a table
 * with a sort key is refused. A table is named by its name or its ARN; any other is ResourceNotFoundException.
 *
 * Items are DynamoDB JSON of types S, N, BOOL, NULL, L and M. The expressions understood, with `#name` and `:value`
 * placeholders or plain attribute names (top-level attributes only):
 * - ConditionExpression: `attribute_exists(a)`, `attribute_not_exists(a)`, `a = :v`, `a <> :v` (true for a missing
 *   attribute), `a < :v`, `a <= :v`, `a > :v`, `a >= :v` (N numerically, S by UTF-8 bytes, false across types), joined
 *   by AND and OR (AND binding tighter). A failed condition is ConditionalCheckFailedException, carrying the item as
 *   `Item` when the request asks `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`.
 * - UpdateExpression: `SET a = :v, ...` and `REMOVE a, ...`, each at most once, in either order. UpdateItem creates an
 *   absent item, as DynamoDB does.
 * ReturnValues: NONE and ALL_OLD, and for UpdateItem ALL_NEW. Scan returns the items in the order they were first written,
 * `Limit` at a time (then with `LastEvaluatedKey`, from which `ExclusiveStartKey` goes on); no filter expression. Anything else (another operation, parameter, function,
 * operator or clause, an undefined or unused placeholder) is ValidationException naming it, so a test relying on it
 * fails instead of passing against behaviour DynamoDB does not have.
 *
 * No request rate is enforced: an on-demand table has no per-second request quota to model.
 *
 * Test API: `items(tableName)` (unmarshalled), `calls`, `injectFault({ operation?, errorType, times? })` (consumed
 * first-match-first; InternalServerError answers 500), `clearFaults()`, `reset()`.
 */
import { ServerResponse } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { InjectedFaults, JsonServiceError, JsonTargetServer } from './json-target-server';
import type { FakeResourceEvent } from './lifecycle-driver';

export type DynamoDbOperation = 'PutItem' | 'GetItem' | 'UpdateItem' | 'DeleteItem' | 'Scan';

export interface DynamoDbCall {
  readonly operation: string;
  readonly tableName: string;
  /** The item's key as `<attribute>=<value>` (undefined when the request names none). */
  readonly key?: string;
  status: number;
  errorType?: string;
}

export interface DynamoDbFault {
  /** @default - any operation */
  readonly operation?: DynamoDbOperation;
  /** e.g. 'ProvisionedThroughputExceededException', 'ThrottlingException' (400), 'InternalServerError' (500). */
  readonly errorType: string;
  /** @default 1 (Infinity: always) */
  readonly times?: number;
}

/** One attribute value in DynamoDB JSON: exactly one of these members is set. */
interface AttributeValue {
  readonly S?: string;
  readonly N?: string;
  readonly BOOL?: boolean;
  readonly NULL?: boolean;
  readonly L?: AttributeValue[];
  readonly M?: Item;
}

type Item = Record<string, AttributeValue>;

interface Table {
  readonly partitionKey: string;
  /** By the key's attribute value as JSON. */
  readonly items: Map<string, Item>;
}

/** The request parameters each operation understands; any other is refused. */
const PARAMETERS: Record<DynamoDbOperation, string[]> = {
  GetItem: ['TableName', 'Key', 'ConsistentRead'],
  PutItem: ['TableName', 'Item', 'ConditionExpression', 'ExpressionAttributeNames', 'ExpressionAttributeValues', 'ReturnValues',
    'ReturnValuesOnConditionCheckFailure'],
  UpdateItem: ['TableName', 'Key', 'UpdateExpression', 'ConditionExpression', 'ExpressionAttributeNames', 'ExpressionAttributeValues',
    'ReturnValues', 'ReturnValuesOnConditionCheckFailure'],
  DeleteItem: ['TableName', 'Key', 'ConditionExpression', 'ExpressionAttributeNames', 'ExpressionAttributeValues', 'ReturnValues',
    'ReturnValuesOnConditionCheckFailure'],
  Scan: ['TableName', 'ConsistentRead', 'Limit', 'ExclusiveStartKey'],
};

const ATTRIBUTE_TYPES = ['S', 'N', 'BOOL', 'NULL', 'L', 'M'];
const PATH = '(#[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*)';
const VALUE = '(:[A-Za-z0-9_]+)';
const FUNCTION_TERM = new RegExp(`^(attribute_exists|attribute_not_exists)\\s*\\(\\s*${PATH}\\s*\\)$`);
const COMPARISON_TERM = new RegExp(`^${PATH}\\s*(=|<>|<=|>=|<|>)\\s*${VALUE}$`);
const SET_ACTION = new RegExp(`^${PATH}\\s*=\\s*${VALUE}$`);
const REMOVE_ACTION = new RegExp(`^${PATH}$`);
const TABLE_ARN = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/(.+)$/;

class DynamoDbError extends JsonServiceError {
  constructor(errorType: string, message: string, fields: object = {}) {
    super(errorType, message, errorType === 'InternalServerError' ? 500 : 400, fields);
  }
}

const invalid = (message: string) => new DynamoDbError('ValidationException', message);

export class FakeDynamoDb extends JsonTargetServer {
  static async start(): Promise<FakeDynamoDb> {
    const fake = new FakeDynamoDb();
    await fake.listen();
    return fake;
  }

  readonly calls: DynamoDbCall[] = [];
  private readonly tables = new Map<string, Table>();
  private readonly faults = new InjectedFaults<DynamoDbOperation>();

  private readonly operations: Record<DynamoDbOperation, (input: Record<string, any>) => object> = {
    GetItem: (input) => {
      const item = this.table(input.TableName).items.get(this.keyOf(input.TableName, input.Key));
      return item ? { Item: item } : {};
    },
    PutItem: (input) => {
      const item = attributeMap(input.Item, 'Item');
      const { partitionKey } = this.table(input.TableName);
      if (!item[partitionKey]) {
        throw invalid(`One or more parameter values were invalid: Missing the key ${partitionKey} in the item`);
      }
      return this.write(input, { [partitionKey]: item[partitionKey] }, ['NONE', 'ALL_OLD'], () => item);
    },
    UpdateItem: (input) => this.write(input, input.Key, ['NONE', 'ALL_OLD', 'ALL_NEW'], (old, placeholders) => {
      const key = attributeMap(input.Key, 'Key');
      const update = input.UpdateExpression === undefined ? undefined : parseUpdate(input.UpdateExpression, placeholders);
      const updated: Item = { ...old, ...key };
      for (const [attribute, value] of update?.set ?? []) {
        updated[attribute] = value;
      }
      for (const attribute of update?.remove ?? []) {
        delete updated[attribute];
      }
      const keyAttribute = Object.keys(key)[0];
      if (update?.set.has(keyAttribute) || update?.remove.includes(keyAttribute)) {
        throw invalid(`One or more parameter values were invalid: Cannot update attribute ${keyAttribute}. This attribute is part of the key`);
      }
      return updated;
    }),
    DeleteItem: (input) => this.write(input, input.Key, ['NONE', 'ALL_OLD'], () => undefined),
    Scan: (input) => {
      const entries = [...this.table(input.TableName).items.entries()];
      const start = input.ExclusiveStartKey === undefined ? 0
        : entries.findIndex(([key]) => key === this.keyOf(input.TableName, input.ExclusiveStartKey)) + 1;
      const limit = input.Limit === undefined ? entries.length : Number(input.Limit);
      if (!Number.isInteger(limit) || limit < 1) {
        throw invalid(`1 validation error detected: Value '${input.Limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`);
      }
      const page = entries.slice(start, start + limit).map(([, item]) => item);
      const { partitionKey } = this.table(input.TableName);
      const more = start + limit < entries.length;
      return {
        Items: page,
        Count: page.length,
        ScannedCount: page.length,
        ...(more ? { LastEvaluatedKey: { [partitionKey]: page[page.length - 1][partitionKey] } } : {}),
      };
    },
  };

  private constructor() {
    super('DynamoDB_20120810', 'InternalServerError', { version: '1.0', errorNamespace: 'com.amazonaws.dynamodb.v20120810' });
  }

  createTable(name: string, partitionKeyName: string): void {
    this.tables.set(name, this.tables.get(name) ?? { partitionKey: partitionKeyName, items: new Map() });
  }

  /** Drops the table with its items. */
  deleteTable(name: string): void {
    this.tables.delete(name);
  }

  /**
   * The lifecycle driver's `onFakeResource` hook: an `AWS::DynamoDB::Table` (or `GlobalTable`) it creates or deletes is
   * made or dropped here. Throws for a table with a sort key, which the fake does not model.
   * @internal
   */
  mirror(event: FakeResourceEvent): void {
    if (event.type !== 'AWS::DynamoDB::Table' && event.type !== 'AWS::DynamoDB::GlobalTable') {
      return;
    }
    if (event.requestType === 'Delete') {
      this.deleteTable(event.physicalId);
      return;
    }
    const keySchema = (event.properties.KeySchema ?? []) as { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
    if (keySchema.some((element) => element.KeyType === 'RANGE')) {
      throw new Error(`${event.logicalId}: the fake DynamoDB models partition keys only, and this table has a sort key`);
    }
    this.createTable(event.physicalId, keySchema.find((element) => element.KeyType === 'HASH')!.AttributeName);
  }

  /** A table's items as plain values (none for a table that does not exist). */
  items(tableName: string): Record<string, unknown>[] {
    return [...this.tables.get(tableName)?.items.values() ?? []].map((item) => plain({ M: item }) as Record<string, unknown>);
  }

  injectFault(fault: DynamoDbFault): void {
    this.faults.add(fault);
  }

  /** Forgets the faults not yet consumed. */
  clearFaults(): void {
    this.faults.clear();
  }

  reset(): void {
    this.tables.clear();
    this.calls.length = 0;
    this.faults.clear();
  }

  protected async serve(operation: string, input: Record<string, any>, response: ServerResponse): Promise<void> {
    const call: DynamoDbCall = { operation, tableName: input.TableName, key: this.keySummary(input), status: 0 };
    this.calls.push(call);
    this.answer(call, response, () => this.invoke(operation, input));
  }

  private invoke(operation: string, input: Record<string, any>): object {
    const fault = this.faults.take(operation);
    if (fault) {
      throw new DynamoDbError(fault, `Injected fault: ${fault}`);
    }
    const run = this.operations[operation as DynamoDbOperation];
    if (!run) {
      throw invalid(`the fake DynamoDB does not implement ${operation}`);
    }
    const unsupported = Object.keys(input).filter((parameter) => !PARAMETERS[operation as DynamoDbOperation].includes(parameter));
    if (unsupported.length > 0) {
      throw invalid(`the fake DynamoDB does not support ${unsupported.join(', ')} in ${operation}`);
    }
    return run(input);
  }

  /**
   * PutItem, UpdateItem and DeleteItem: checks the condition against the item at `key` as it is, then stores what `next`
   * makes of it (undefined: deletes it), and answers the ReturnValues asked for.
   */
  private write(
    input: Record<string, any>, key: unknown, returnValues: string[], next: (old: Item | undefined, placeholders: Placeholders) => Item | undefined,
  ): object {
    const table = this.table(input.TableName);
    const itemKey = this.keyOf(input.TableName, key);
    const asked = input.ReturnValues ?? 'NONE';
    if (!returnValues.includes(asked)) {
      throw invalid(`the fake DynamoDB supports ReturnValues ${returnValues.join(', ')} only, not ${asked}`);
    }
    const placeholders = new Placeholders(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
    const condition = input.ConditionExpression === undefined ? undefined : parseCondition(input.ConditionExpression, placeholders);
    const old = table.items.get(itemKey);
    const updated = next(old, placeholders);
    placeholders.assertAllUsed();
    if (condition && !condition(old ?? {})) {
      const withOld = input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && old;
      throw new DynamoDbError('ConditionalCheckFailedException', 'The conditional request failed', withOld ? { Item: old } : {});
    }
    if (updated) {
      table.items.set(itemKey, updated);
    } else {
      table.items.delete(itemKey);
    }
    const attributes = asked === 'ALL_OLD' ? old : asked === 'ALL_NEW' ? updated : undefined;
    return attributes ? { Attributes: attributes } : {};
  }

  private table(name: unknown): Table {
    const table = this.tables.get(String(name).replace(TABLE_ARN, '$1'));
    if (!table) {
      throw new DynamoDbError('ResourceNotFoundException', 'Requested resource not found');
    }
    return table;
  }

  /** The storage key of the item a request's `Key` names, which must be the table's partition key alone. */
  private keyOf(tableName: unknown, key: unknown): string {
    const { partitionKey } = this.table(tableName);
    const attributes = attributeMap(key, 'Key');
    const names = Object.keys(attributes);
    if (names.length !== 1 || names[0] !== partitionKey) {
      throw invalid('The provided key element does not match the schema');
    }
    return JSON.stringify(attributes[partitionKey]);
  }

  private keySummary(input: Record<string, any>): string | undefined {
    const name = input.Key ? Object.keys(input.Key)[0] : this.tables.get(input.TableName)?.partitionKey;
    const value = name === undefined ? undefined : (input.Key ?? input.Item)?.[name];
    return value === undefined ? undefined : `${name}=${Object.values(value)[0]}`;
  }
}

/** A request's ExpressionAttributeNames and ExpressionAttributeValues, each of which DynamoDB requires to be used. */
class Placeholders {
  private readonly unusedNames: Set<string>;
  private readonly unusedValues: Set<string>;

  constructor(private readonly names: Record<string, string> = {}, private readonly values: Record<string, unknown> = {}) {
    this.unusedNames = new Set(Object.keys(names));
    this.unusedValues = new Set(Object.keys(values));
  }

  /** The attribute a path names: `#name` through ExpressionAttributeNames, else itself. */
  attribute(path: string): string {
    if (!path.startsWith('#')) {
      return path;
    }
    if (this.names[path] === undefined) {
      throw invalid(`An expression attribute name used in the document path is not defined; attribute name: ${path}`);
    }
    this.unusedNames.delete(path);
    return this.names[path];
  }

  value(placeholder: string): AttributeValue {
    if (this.values[placeholder] === undefined) {
      throw invalid(`An expression attribute value used in expression is not defined; attribute value: ${placeholder}`);
    }
    this.unusedValues.delete(placeholder);
    return attributeValue(this.values[placeholder], placeholder);
  }

  assertAllUsed(): void {
    if (this.unusedNames.size > 0) {
      throw invalid(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${[...this.unusedNames].join(', ')}}`);
    }
    if (this.unusedValues.size > 0) {
      throw invalid(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${[...this.unusedValues].join(', ')}}`);
    }
  }
}

/** A ConditionExpression as a test of the item (empty when absent): terms joined by OR, of terms joined by AND. */
function parseCondition(expression: string, placeholders: Placeholders): (item: Item) => boolean {
  const alternatives = expression.trim().split(/\s+OR\s+/i)
    .map((alternative) => alternative.split(/\s+AND\s+/i).map((term) => parseTerm(term.trim(), placeholders)));
  return (item) => alternatives.some((terms) => terms.every((term) => term(item)));
}

function parseTerm(term: string, placeholders: Placeholders): (item: Item) => boolean {
  const call = FUNCTION_TERM.exec(term);
  if (call) {
    const attribute = placeholders.attribute(call[2]);
    const exists = call[1] === 'attribute_exists';
    return (item) => (item[attribute] !== undefined) === exists;
  }
  const comparison = COMPARISON_TERM.exec(term);
  if (!comparison) {
    throw invalid(`the fake DynamoDB cannot parse the condition '${term}': it supports attribute_exists, attribute_not_exists and `
      + '=, <>, <, <=, >, >= between an attribute and a value, joined by AND and OR');
  }
  const [, path, operator, placeholder] = comparison;
  const attribute = placeholders.attribute(path);
  const expected = placeholders.value(placeholder);
  if (operator === '=' || operator === '<>') {
    return (item) => isEqual(item[attribute], expected) === (operator === '=');
  }
  if (expected.N === undefined && expected.S === undefined) {
    throw invalid(`Invalid ConditionExpression: Incorrect operand type for operator or function; operator: ${operator}, operand type: `
      + Object.keys(expected)[0]);
  }
  const holds: Record<string, (order: number) => boolean> = {
    '<': (order) => order < 0, '<=': (order) => order <= 0, '>': (order) => order > 0, '>=': (order) => order >= 0,
  };
  return (item) => {
    const order = compareScalars(item[attribute], expected);
    return order !== undefined && holds[operator](order);
  };
}

function isEqual(actual: AttributeValue | undefined, expected: AttributeValue): boolean {
  return actual?.N !== undefined && expected.N !== undefined ? Number(actual.N) === Number(expected.N) : isDeepStrictEqual(actual, expected);
}

/** The order of two numbers or two strings; undefined for anything else, which no ordering holds for. */
function compareScalars(actual: AttributeValue | undefined, expected: AttributeValue): number | undefined {
  if (actual?.N !== undefined && expected.N !== undefined) {
    return Math.sign(Number(actual.N) - Number(expected.N));
  }
  if (actual?.S !== undefined && expected.S !== undefined) {
    return Buffer.compare(Buffer.from(actual.S), Buffer.from(expected.S));
  }
  return undefined;
}

/** An UpdateExpression's SET and REMOVE clauses, by attribute. */
function parseUpdate(expression: string, placeholders: Placeholders): { set: Map<string, AttributeValue>; remove: string[] } {
  // splitting on the clause keywords (captured) gives ['', keyword, actions, keyword, actions, ...].
  const [before, ...parts] = expression.trim().split(/\s*\b(SET|REMOVE|ADD|DELETE)\b\s+/i);
  if (before !== '' || parts.length === 0) {
    throw invalid(`the fake DynamoDB cannot parse the update expression '${expression}'`);
  }
  const set = new Map<string, AttributeValue>();
  const remove: string[] = [];
  const seen = new Set<string>();
  const touch = (attribute: string) => {
    if (seen.has(attribute)) {
      throw invalid(`Invalid UpdateExpression: Two document paths overlap with each other; attribute: ${attribute}`);
    }
    seen.add(attribute);
    return attribute;
  };
  const clauses = new Set<string>();
  for (let i = 0; i < parts.length; i += 2) {
    const [keyword, actions] = [parts[i].toUpperCase(), parts[i + 1].split(',').map((action) => action.trim())];
    if (clauses.has(keyword)) {
      throw invalid(`Invalid UpdateExpression: The "${keyword}" section can only be used once in an update expression`);
    }
    clauses.add(keyword);
    for (const action of actions) {
      const match = (keyword === 'SET' ? SET_ACTION : keyword === 'REMOVE' ? REMOVE_ACTION : undefined)?.exec(action);
      if (!match) {
        throw invalid(`the fake DynamoDB supports SET <attribute> = :value and REMOVE <attribute> only, not ${keyword} '${action}'`);
      }
      if (keyword === 'SET') {
        set.set(touch(placeholders.attribute(match[1])), placeholders.value(match[2]));
      } else {
        remove.push(touch(placeholders.attribute(match[1])));
      }
    }
  }
  return { set, remove };
}

function attributeMap(value: unknown, name: string): Item {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${name} must be a map of attribute values`);
  }
  return Object.fromEntries(Object.entries(value).map(([attribute, member]) => [attribute, attributeValue(member, `${name}.${attribute}`)]));
}

/** Checks a value is DynamoDB JSON of a type the fake models. */
function attributeValue(value: unknown, name: string): AttributeValue {
  const types = typeof value === 'object' && value !== null ? Object.keys(value) : [];
  if (types.length !== 1 || !ATTRIBUTE_TYPES.includes(types[0])) {
    throw invalid(`the fake DynamoDB supports attribute values of types ${ATTRIBUTE_TYPES.join(', ')} only: ${name} is ${JSON.stringify(value)}`);
  }
  const typed = value as AttributeValue;
  if (typed.N !== undefined && !Number.isFinite(Number(typed.N))) {
    throw invalid(`A value provided cannot be converted into a number: ${name}`);
  }
  typed.L?.forEach((member, index) => attributeValue(member, `${name}[${index}]`));
  if (typed.M !== undefined) {
    attributeMap(typed.M, name);
  }
  return typed;
}

/** A value as a plain JS value: N as a number. */
function plain(value: AttributeValue): unknown {
  if (value.N !== undefined) {
    return Number(value.N);
  }
  if (value.NULL !== undefined) {
    return null;
  }
  if (value.L !== undefined) {
    return value.L.map(plain);
  }
  if (value.M !== undefined) {
    return Object.fromEntries(Object.entries(value.M).map(([attribute, member]) => [attribute, plain(member)]));
  }
  return value.S ?? value.BOOL;
}
