// Types of aliyun-caster's public API (the same in every runtime).

/** A string of decimal digits is accepted wherever an integer is. */
export type IntegerLike = number | `${number}`;

/** Parameters of StartCasterScene. Names are the API's PascalCase; camelCase is accepted too. */
export interface StartCasterSceneParams {
  /** Production studio ID. */
  CasterId: string;
  /** A preview (PVW) scene. */
  SceneId: string;
  /** e.g. `cn-shanghai`; defaults to the client's region. */
  RegionId?: string;
  OwnerId?: LongLike;
}

interface VideoResourceBase {
  /** Production studio ID. */
  CasterId: string;
  /** Name of the video source. */
  ResourceName: string;
  /** Layout position, `RV01` … `RV99`; one source per location. */
  LocationId: string;
  /** PTS callback interval, ms. */
  PtsCallbackInterval?: IntegerLike;
  /** Fixed delay for caption sync, 0 … 5000 ms. */
  FixedDelayDuration?: IntegerLike;
  RegionId?: string;
  OwnerId?: LongLike;
}

interface FileOptions {
  /** Start offset from the first frame, ms (≥ 0). */
  BeginOffset?: IntegerLike;
  /** > 0: end at this offset from the first frame; < 0: from the last frame (ms). */
  EndOffset?: IntegerLike;
  /** 0 (default) play once, -1 loop forever, n > 0 repeat n times. */
  RepeatNum?: IntegerLike;
}

type NoFileOptions = { BeginOffset?: never; EndOffset?: never; RepeatNum?: never };
type Only<K extends 'LiveStreamUrl' | 'MaterialId' | 'VodUrl' | 'ImageId' | 'ImageUrl'> = {
  [S in Exclude<'LiveStreamUrl' | 'MaterialId' | 'VodUrl' | 'ImageId' | 'ImageUrl', K>]?: never;
};

/** Parameters of AddCasterVideoResource: exactly one source, offsets only for files. */
export type AddCasterVideoResourceParams = VideoResourceBase & (
  | ({ /** A live stream's pull URL (rtmp, rtmps, http, https, artc, srt). */ LiveStreamUrl: string } & Only<'LiveStreamUrl'> & NoFileOptions)
  | ({ /** A media-library asset ID. */ MaterialId: string } & Only<'MaterialId'> & FileOptions)
  | ({ /** An MP4, FLV or TS file URL (http or https). */ VodUrl: string } & Only<'VodUrl'> & FileOptions)
  | ({ /** A library image ID. */ ImageId: string } & Only<'ImageId'> & NoFileOptions)
  | ({ /** A JPG or PNG URL (http or https). */ ImageUrl: string } & Only<'ImageUrl'> & NoFileOptions)
);

/** A 64-bit integer: a safe integer, or a string of decimal digits (for larger ones). */
export type LongLike = number | `${number}`;

/** One tag of a filter: crosses the wire as `Tag.N.Key` and `Tag.N.Value`. */
export interface TagFilter {
  Key?: string;
  Value?: string;
}

/** Parameters of DescribeCasters: every one a filter, all optional. */
export interface DescribeCastersParams {
  CasterId?: string;
  CasterName?: string;
  /** `yyyy-MM-ddTHH:mm:ssZ`, UTC. */
  StartTime?: string;
  /** `yyyy-MM-ddTHH:mm:ssZ`, UTC; not before StartTime. */
  EndTime?: string;
  /** From 1. */
  PageNum?: IntegerLike;
  /** From 1; the server's default is 100. */
  PageSize?: IntegerLike;
  /** 0 idle, 1 in production. */
  Status?: IntegerLike;
  /** 0 subscription, 1 pay-as-you-go. */
  ChargeType?: IntegerLike;
  OrderByModifyAsc?: 'true' | 'false';
  /** 1 general, 3 lightweight playlist, 4 virtual studio, 6 playlist. */
  NormType?: '1' | '3' | '4' | '6';
  ResourceGroupId?: string;
  /** At most 20 tags. */
  Tag?: TagFilter[];
  OwnerId?: LongLike;
  RegionId?: string;
}

/** Parameters of DescribeCasterScenes. */
export interface DescribeCasterScenesParams {
  CasterId: string;
  /** One scene only. */
  SceneId?: string;
  OwnerId?: LongLike;
  RegionId?: string;
}

/** Parameters of DescribeCasterVideoResources. */
export interface DescribeCasterVideoResourcesParams {
  CasterId: string;
  OwnerId?: LongLike;
  RegionId?: string;
}

/** Parameters of ModifyCasterVideoResource: what is given changes; at most one source. */
export interface ModifyCasterVideoResourceParams {
  CasterId: string;
  /** What AddCasterVideoResource returned. */
  ResourceId: string;
  ResourceName?: string;
  LiveStreamUrl?: string;
  MaterialId?: string;
  VodUrl?: string;
  ImageId?: string;
  ImageUrl?: string;
  BeginOffset?: IntegerLike;
  EndOffset?: IntegerLike;
  RepeatNum?: IntegerLike;
  PtsCallbackInterval?: IntegerLike;
  OwnerId?: LongLike;
  RegionId?: string;
}

/** Parameters of DeleteCasterVideoResource. */
export interface DeleteCasterVideoResourceParams {
  CasterId: string;
  ResourceId: string;
  OwnerId?: LongLike;
  RegionId?: string;
}

/** Parameters of StopCasterScene. */
export interface StopCasterSceneParams {
  CasterId: string;
  /** A started preview (PVW) scene. */
  SceneId: string;
  OwnerId?: LongLike;
  RegionId?: string;
}

export type Action =
  | 'StartCasterScene'
  | 'AddCasterVideoResource'
  | 'DescribeCasters'
  | 'DescribeCasterScenes'
  | 'DescribeCasterVideoResources'
  | 'ModifyCasterVideoResource'
  | 'DeleteCasterVideoResource'
  | 'StopCasterScene';

export interface ParamsOf {
  StartCasterScene: StartCasterSceneParams;
  AddCasterVideoResource: AddCasterVideoResourceParams;
  DescribeCasters: DescribeCastersParams;
  DescribeCasterScenes: DescribeCasterScenesParams;
  DescribeCasterVideoResources: DescribeCasterVideoResourcesParams;
  ModifyCasterVideoResource: ModifyCasterVideoResourceParams;
  DeleteCasterVideoResource: DeleteCasterVideoResourceParams;
  StopCasterScene: StopCasterSceneParams;
}

export interface StartCasterSceneResult {
  /** The body's RequestId, or the `x-acs-request-id` header's when the body has none. */
  RequestId: string;
  /** The scene's output stream URL. */
  StreamUrl: string;
}

export interface AddCasterVideoResourceResult {
  /** The body's RequestId, or the `x-acs-request-id` header's when the body has none. */
  RequestId: string;
  ResourceId: string;
}

// The describes' items: every field may be absent (the client keeps only these, of these types).

/** A production studio. */
export interface CasterItem {
  CasterId?: string;
  CasterName?: string;
  CasterTemplate?: string;
  ChannelEnable?: number;
  /** As the server writes it (text here, though the filter is an integer). */
  ChargeType?: string;
  ClientTokenId?: string;
  CreateTime?: string;
  Duration?: string;
  ExpireTime?: string;
  LastModified?: string;
  NormType?: number;
  PurchaseTime?: string;
  ResourceGroupId?: string;
  StartTime?: string;
  /** 0 idle, 1 in production. */
  Status?: number;
  Tags?: { tag?: { TagKey?: string; TagValue?: string }[] };
}

/** A scene of a studio. */
export interface SceneItem {
  SceneId?: string;
  SceneName?: string;
  /** "0" a preview (PVW) scene, "1" the program (PGM). */
  OutputType?: string;
  /** 0 off, 1 started. */
  Status?: number;
  StreamUrl?: string;
  LayoutId?: string;
  ComponentIds?: { componentId?: string[] };
  StreamInfos?: { StreamInfo?: { OutputStreamUrl?: string; TranscodeConfig?: string; VideoFormat?: string }[] };
}

/** A video source of a studio. */
export interface VideoResourceItem {
  ResourceId?: string;
  ResourceName?: string;
  LocationId?: string;
  LiveStreamUrl?: string;
  MaterialId?: string;
  VodUrl?: string;
  ImageId?: string;
  ImageUrl?: string;
  FlvUrl?: string;
  BeginOffset?: number;
  EndOffset?: number;
  RepeatNum?: number;
  PtsCallbackInterval?: number;
}

export interface DescribeCastersResult {
  RequestId: string;
  CasterList: { Caster?: CasterItem[] };
  Total: number;
}

export interface DescribeCasterScenesResult {
  RequestId: string;
  SceneList: { Scene?: SceneItem[] };
  Total: number;
}

export interface DescribeCasterVideoResourcesResult {
  RequestId: string;
  VideoResources: { VideoResource?: VideoResourceItem[] };
  Total: number;
}

export interface ModifyCasterVideoResourceResult {
  RequestId: string;
  CasterId: string;
  ResourceId: string;
}

export interface DeleteCasterVideoResourceResult {
  RequestId: string;
}

export interface StopCasterSceneResult {
  RequestId: string;
}

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  /** Only with STS credentials. */
  securityToken?: string;
}

export type Method = 'POST' | 'GET';

/**
 * `v1` (the default): HMAC-SHA1 over the parameters, sent as a form body (POST) or the query (GET);
 * a v1 POST is a CORS simple request, so a browser sends it without a preflight. `v3`:
 * ACS3-HMAC-SHA256 over a canonical request, sent in `authorization` and `x-acs-*` headers, with
 * the parameters in the query and no body; in a browser those headers need a preflight.
 */
export type SignatureAlgorithm = 'v1' | 'v3';

export type SignRequestInput = {
  [A in Action]: {
    action: A;
    params: ParamsOf[A];
    accessKeyId: string;
    accessKeySecret: string;
    securityToken?: string;
    /** Default `cn-shanghai`. */
    regionId?: string;
    /** Default `https://live.aliyuncs.com`. */
    endpoint?: string;
    /** Default `POST`. */
    method?: Method;
    /** Default now. A string is `YYYY-MM-DDThh:mm:ssZ` (milliseconds are dropped). */
    timestamp?: string | Date;
    /** Default 128 random bits in UUID form. */
    nonce?: string;
    /** Default `v1`. */
    signatureAlgorithm?: SignatureAlgorithm;
  };
}[Action];

export interface SignedRequest {
  method: Method;
  /** v1 GET and every V3 request: the query is in the URL (for V3, the canonical query). */
  url: string;
  /**
   * v1 POST: `content-type`. V3: `x-acs-action`, `x-acs-version`, `x-acs-date`,
   * `x-acs-signature-nonce`, `x-acs-content-sha256`, `x-acs-security-token` (STS only) and
   * `authorization`. `host` is signed too, as the HTTP client takes it from the URL.
   */
  headers: Record<string, string>;
  /** v1 POST only: the form body. V3 sends no body. */
  body?: string;
  /** Every signed parameter: v1's common ones and Signature included; for V3 the operation's and RegionId. */
  params: Record<string, string>;
  canonicalQuery: string;
  /** V3 only: the canonical request whose SHA-256 is in the string to sign. */
  canonicalRequest?: string;
  stringToSign: string;
  /** v1: base64; V3: lower-case hex. */
  signature: string;
}

/** Validates and signs; sends nothing. Throws a CasterError. */
export function signRequest(request: SignRequestInput): SignedRequest;

/**
 * Checks a configuration as signRequest would (credentials only when one of them is given), and
 * throws the CasterError it would throw; returns nothing. What CasterClient and the console page
 * check their settings with.
 */
export function checkConfig(options: {
  accessKeyId?: string; accessKeySecret?: string; securityToken?: string; regionId?: string; endpoint?: string;
  method?: Method; signatureAlgorithm?: SignatureAlgorithm;
}): void;

/** signRequest's options: everything but `action` and `params`. */
export type SignOptions = Omit<Extract<SignRequestInput, { action: 'StartCasterScene' }>, 'action' | 'params'>;

/** `signRequest({ action: 'StartCasterScene', params, ...options })`: the same result, the same errors. */
export function startCasterScene(params: StartCasterSceneParams, options: SignOptions): SignedRequest;
/** `signRequest({ action: 'AddCasterVideoResource', params, ...options })`: the same result, the same errors. */
export function addCasterVideoResource(params: AddCasterVideoResourceParams, options: SignOptions): SignedRequest;
/** `signRequest({ action: 'DescribeCasters', params, ...options })`: the same result, the same errors. */
export function describeCasters(params: DescribeCastersParams, options: SignOptions): SignedRequest;
/** `signRequest({ action: 'DescribeCasterScenes', params, ...options })`: the same result, the same errors. */
export function describeCasterScenes(params: DescribeCasterScenesParams, options: SignOptions): SignedRequest;
/** `signRequest({ action: 'DescribeCasterVideoResources', params, ...options })`: the same result, the same errors. */
export function describeCasterVideoResources(params: DescribeCasterVideoResourcesParams, options: SignOptions): SignedRequest;
/** `signRequest({ action: 'ModifyCasterVideoResource', params, ...options })`: the same result, the same errors. */
export function modifyCasterVideoResource(params: ModifyCasterVideoResourceParams, options: SignOptions): SignedRequest;
/** `signRequest({ action: 'DeleteCasterVideoResource', params, ...options })`: the same result, the same errors. */
export function deleteCasterVideoResource(params: DeleteCasterVideoResourceParams, options: SignOptions): SignedRequest;
/** `signRequest({ action: 'StopCasterScene', params, ...options })`: the same result, the same errors. */
export function stopCasterScene(params: StopCasterSceneParams, options: SignOptions): SignedRequest;

/** One parameter of an operation, as the core's operation table describes it. */
export interface OperationParam {
  readonly name: string;
  /** `long`: 64 bits; `list`: an array of objects of `members` (strings), at most `max`. */
  readonly type: 'string' | 'integer' | 'long' | 'list';
  readonly members?: readonly string[];
  readonly max?: number;
  readonly required: boolean;
  /** The set of alternatives of which exactly one is given (`source`), or null. */
  readonly group: string | null;
  /** Its rule, in a few words. */
  readonly rule: string;
}

/** The type of a reply field: an object's `fields` may each be absent; a list's `items` have a type of their own. */
export type ReplyType =
  | { readonly type: 'string' | 'integer' }
  | { readonly type: 'object'; readonly fields: readonly ReplyField[] }
  | { readonly type: 'list'; readonly items: ReplyType };

export type ReplyField = { readonly name: string } & ReplyType;

/** One operation of the core's table (src/operations/). */
export interface Operation {
  readonly name: Action;
  readonly summary: string;
  /** Whether sending it twice does what sending it once does (the client retries only those blindly). */
  readonly idempotent: boolean;
  /** The vendor's documented requests a second per user. */
  readonly qps: number;
  readonly params: readonly OperationParam[];
  /** The fields of a successful reply besides RequestId. */
  readonly reply: readonly ReplyField[];
  /** The error codes the vendor documents, with their HTTP status. */
  readonly codes: readonly { readonly code: string; readonly status: number }[];
}

/** Every operation this package implements, frozen: what CasterClient, the worker and the emulator are built from. */
export const OPERATIONS: readonly Operation[];

export interface Problem {
  field: string;
  code: string;
  message: string;
}

/** Every problem with the parameters, `[]` when valid: for forms that check as the user types. */
export function validateParams(action: Action | (string & {}), params: unknown): Problem[];

export type CasterErrorKind = 'validation' | 'config' | 'api' | 'network' | 'timeout';

export interface CasterErrorInit {
  code: string;
  message: string;
  kind: CasterErrorKind;
  field?: string;
  httpStatus?: number;
  requestId?: string;
  recommend?: string;
  serverCode?: string;
  retryable?: boolean;
  cause?: unknown;
}

/** Every failure of every function of this package. Branch on `code` and `kind`. */
export class CasterError extends Error {
  constructor(init: CasterErrorInit);
  readonly name: 'CasterError';
  /**
   * The server's code, or the validation code of the contract's section 3. Two are the client's
   * reading of the server's: `InvalidAccessKeySecret` for a `SignatureDoesNotMatch` (or
   * `IncompleteSignature`) whose server string to sign is the one this request signed, so that only
   * the secret can be wrong (the message names the server's code and keeps its Message); and an
   * `InvalidTimeStamp.Expired` whose reply had no readable `Date` says in its message that the local
   * clock is off by an amount that cannot be known (a browser hides Date from a page calling another
   * origin), to be fixed, or avoided through the worker proxy. One is the caller's own: `Aborted`
   * (kind `network`, never retryable), when the call's `signal` aborted it; its `cause` is the
   * signal's `reason`.
   */
  code: string;
  kind: CasterErrorKind;
  field?: string;
  httpStatus?: number;
  /**
   * The server's request id: the body's RequestId, or else the `x-acs-request-id` header's (at most
   * 256 characters; a longer one is ignored). Any form of a secret in it is `<redacted>`.
   */
  requestId?: string;
  recommend?: string;
  /**
   * The code the server answered, where `code` is the client's reading of it: `SignatureDoesNotMatch`
   * (or `IncompleteSignature`) on an `InvalidAccessKeySecret`. Absent otherwise.
   */
  serverCode?: string;
  /** Whether trying again is safe and could help. */
  retryable: boolean;
  toJSON(): Omit<CasterErrorInit, 'cause'> & { name: 'CasterError' };
}

/** `maxQps` by operation; an operation left out runs at its documented limit. */
export type MaxQpsByOperation = { [A in Action]?: number };

interface ClientOptions {
  /** Default `cn-shanghai`. */
  regionId?: string;
  /** Default `https://live.aliyuncs.com`. */
  endpoint?: string;
  /** Default `POST`. */
  method?: Method;
  /** Default `v1`; `v3` suits servers and edge workers (see the README, "v1 or v3?"). */
  signatureAlgorithm?: SignatureAlgorithm;
  /** Per attempt; default 10000. */
  timeoutMs?: number;
  /** Default 2. */
  maxRetries?: number;
  /**
   * Requests a second, each operation with its own limiter (the API counts each operation of a key
   * on its own): a number for every operation, or an object by operation name, the others at their
   * documented limit. Each is greater than 0 and at most 1000. Default: each operation's documented
   * per-user limit, 10 for StartCasterScene and 10 for AddCasterVideoResource. A throttled reply's
   * `x-acs-retry-after` (ms) or `Retry-After` (s), the longer, capped at 20 s, holds the retry and
   * every later call of that operation.
   */
  maxQps?: number | MaxQpsByOperation;
  /**
   * The most a reply's body may hold, in bytes after any decompression: an integer from 1024
   * (1 KiB) to 67108864 (64 MiB), default 1048576 (1 MiB). The body is read as a stream and a
   * longer one is cancelled: the call fails with code `ReplyTooLarge` (kind `api`, not retried).
   */
  maxReplyBytes?: number;
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

export type CasterClientConfig = ClientOptions & (
  | (Credentials & { credentials?: never })
  | {
    /** Called before each attempt, so STS tokens can be refreshed. */
    credentials: () => Credentials | Promise<Credentials>;
    accessKeyId?: never;
    accessKeySecret?: never;
    securityToken?: never;
  }
);

/**
 * The second argument of every sending method of CasterClient. Its own properties only; an unknown
 * key, or a `signal` that is not an AbortSignal, rejects with kind `validation`.
 */
export interface CallOptions {
  /**
   * Cancels the call at once wherever it waits: before it starts (an aborted signal sends nothing
   * and asks nothing of the credentials function), in the rate limiter, on the credentials
   * function, on the fetch, on the reply's body, and in the backoff between retries (no retry
   * follows). The call rejects with code `Aborted`, kind `network`, `retryable: false`, and the
   * signal's `reason` as `cause`; the message says whether the request may have been sent.
   */
  signal?: AbortSignal;
}

export class CasterClient {
  constructor(config: CasterClientConfig);
  /** Starts a preview (PVW) scene. */
  startCasterScene(params: StartCasterSceneParams, options?: CallOptions): Promise<StartCasterSceneResult>;
  /** Adds a video source. Not idempotent: never retried after a timeout or a dropped connection. */
  addCasterVideoResource(params: AddCasterVideoResourceParams, options?: CallOptions): Promise<AddCasterVideoResourceResult>;
  /** Lists production studios, a page at a time. */
  describeCasters(params: DescribeCastersParams, options?: CallOptions): Promise<DescribeCastersResult>;
  /** Lists a studio's scenes. */
  describeCasterScenes(params: DescribeCasterScenesParams, options?: CallOptions): Promise<DescribeCasterScenesResult>;
  /** Lists a studio's video sources. */
  describeCasterVideoResources(params: DescribeCasterVideoResourcesParams, options?: CallOptions): Promise<DescribeCasterVideoResourcesResult>;
  /** Changes a video source. Not idempotent: never retried after a timeout or a dropped connection. */
  modifyCasterVideoResource(params: ModifyCasterVideoResourceParams, options?: CallOptions): Promise<ModifyCasterVideoResourceResult>;
  /** Removes a video source. Not idempotent: never retried after a timeout or a dropped connection. */
  deleteCasterVideoResource(params: DeleteCasterVideoResourceParams, options?: CallOptions): Promise<DeleteCasterVideoResourceResult>;
  /** Stops a started preview (PVW) scene. */
  stopCasterScene(params: StopCasterSceneParams, options?: CallOptions): Promise<StopCasterSceneResult>;
}

export interface InitOptions {
  /** Where to load the .wasm from (browsers), or the compiled module itself. */
  module_or_path?: string | URL | Request | Response | BufferSource | WebAssembly.Module;
}

/** Loads the wasm module once (browsers); at once and harmless in Node and workerd. */
export default function init(options?: InitOptions): Promise<void>;
