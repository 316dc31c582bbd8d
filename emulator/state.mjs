// The emulator's state: production studios, their scenes and their video sources, kept in memory
// and, with a state file, on disk.
//
// - A change is acknowledged only once it is durably on disk: the whole state is written to a
//   temporary file in the same directory (every byte checked as written), fsynced, closed, renamed
//   over the state file, and the directory fsynced. Changes made while a write is pending are
//   written together (group commit). A write that fails leaves the state file as it was, removes
//   its temporary file, undoes every change it carried in memory, and fails every request that
//   waited for it; the next change writes afresh.
// - A state file is checked field by field at start (the rules of a config file's studios plus
//   those of what the emulator adds: scene status, stream URLs, video sources) and refused, with
//   its name and the problem, if anything is off. With a config that names studios, the state
//   file must hold those same studios (ids, status, ingest endpoints, scenes); else it is refused,
//   naming both files: remove the state file to start afresh from the config.
// - The state file is locked (FILE.lock, holding the pid, host, boot and process start time of its
//   emulator): a second emulator on the same file refuses to start. A lock whose process is gone
//   (killed, crashed, rebooted, or its pid reused by another process) is stale and taken over.
// - Temporary files left by a killed emulator (FILE.<pid>.tmp) are removed at start.
import { randomUUID } from 'node:crypto';
import {
  closeSync, constants, fstatSync, fsyncSync, linkSync, openSync, readSync, readdirSync, readFileSync, renameSync,
  statSync, unlinkSync, writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { validateParams } from '../dist/server.mjs';

/** The largest state file read at start, and written: beyond it a change fails (InternalError). */
export const MAX_STATE_BYTES = 64 * 1024 * 1024;
/** The largest lock file read (it holds one line of JSON). */
export const MAX_LOCK_BYTES = 4096;

/** The studios a fresh emulator starts with when no config names any. */
export const DEMO_CASTERS = [
  {
    casterId: 'LIVEPRODUCER_POST-cn-emulator-demo',
    status: 'started',
    ingestEndpoints: 4,
    scenes: [
      { sceneId: 'demo-pvw-scene-1', type: 'PVW' },
      { sceneId: 'demo-pvw-scene-2', type: 'PVW' },
      { sceneId: 'demo-pgm-scene', type: 'PGM' },
    ],
  },
  {
    casterId: 'LIVEPRODUCER_POST-cn-emulator-idle',
    status: 'idle',
    ingestEndpoints: 2,
    scenes: [{ sceneId: 'idle-pvw-scene', type: 'PVW' }],
  },
];

// ---------------------------------------------------------------------------------------------
// The rules of studios, scenes and sources: one set for config files and state files. A config
// names studios (status, ingestEndpoints and scenes may be left to their defaults); a state file
// holds them whole, with what the emulator added: scene status and stream URL, video sources.
// ---------------------------------------------------------------------------------------------

const CASTER_FIELDS = ['casterId', 'casterName', 'tags', 'status', 'ingestEndpoints', 'scenes'];
const SCENE_FIELDS = ['sceneId', 'type'];
const SAVED_CASTER_FIELDS = [...CASTER_FIELDS, 'resources'];
const SAVED_SCENE_FIELDS = [...SCENE_FIELDS, 'status', 'streamUrl'];
// What addResource keeps of an add: its parameters but these, which the source is filed under.
const NOT_SOURCE = new Set(['CasterId', 'RegionId', 'ResourceName', 'LocationId']);
/** The parameters that name a video source: a source has exactly one. */
export const SOURCE_FIELDS = Object.freeze(['LiveStreamUrl', 'MaterialId', 'VodUrl', 'ImageId', 'ImageUrl']);
/** The parameters that apply only to a file source (VodUrl or MaterialId). */
export const FILE_ONLY_FIELDS = Object.freeze(['BeginOffset', 'EndOffset', 'RepeatNum']);
/** The integer parameters of a source: kept as the wire's text, listed as numbers. */
export const INTEGER_FIELDS = Object.freeze(['BeginOffset', 'EndOffset', 'RepeatNum', 'PtsCallbackInterval']);
/** The tags one studio may carry, and the length of a tag's key and of its value. */
export const MAX_STUDIO_TAGS = 20;
export const MAX_TAG_KEY_CHARS = 128;
export const MAX_TAG_VALUE_CHARS = 128;
const RESOURCE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The output stream of a started scene: one rule for startScene and for checking a state file. */
const streamUrlOf = (casterId, sceneId) =>
  `rtmp://emulator.localhost/caster/${encodeURIComponent(casterId)}/${encodeURIComponent(sceneId)}`;

/** A CasterId or SceneId the API accepts (contract section 3: the wire's own rule, from the core). */
function isWireId(value) {
  return typeof value === 'string' && value !== '' && validateParams('StartCasterScene', { CasterId: value, SceneId: value }).length === 0;
}

function onlyFields(value, fields, where, fail) {
  if (!isObject(value)) fail(`${where} must be an object`);
  const unknown = Object.keys(value).find((name) => !fields.includes(name));
  if (unknown !== undefined) fail(`${where} has an unknown field "${unknown.slice(0, 64)}"; its fields are ${fields.join(', ')}`);
}

function readScene(scene, where, caster, saved, fail) {
  onlyFields(scene, saved ? SAVED_SCENE_FIELDS : SCENE_FIELDS, where, fail);
  if (!isWireId(scene.sceneId)) fail(`${where}.sceneId must be an ID the API accepts (not empty, no whitespace or control characters, at most 128 bytes)`);
  if (scene.type !== 'PVW' && scene.type !== 'PGM') fail(`${where}.type must be "PVW" or "PGM"`);
  if (!saved) return { sceneId: scene.sceneId, type: scene.type, status: 'idle' };
  if (scene.status === 'idle') {
    if (scene.streamUrl !== undefined) fail(`${where}.streamUrl is only for a scene in use`);
    return { sceneId: scene.sceneId, type: scene.type, status: 'idle' };
  }
  if (scene.status !== 'inUse') fail(`${where}.status must be "idle" or "inUse"`);
  if (caster.status !== 'started' || scene.type !== 'PVW') fail(`${where} is in use, but only a PVW scene of a started studio can be`);
  if (scene.streamUrl !== streamUrlOf(caster.casterId, scene.sceneId)) fail(`${where}.streamUrl is not the scene's stream URL`);
  return { sceneId: scene.sceneId, type: scene.type, status: 'inUse', streamUrl: scene.streamUrl };
}

/** A saved video source: what addResource recorded of a valid AddCasterVideoResource. */
function readResource(resource, where, seen, fail) {
  if (!isObject(resource)) fail(`${where} must be an object`);
  const { resourceId, resourceName, locationId, ...source } = resource;
  if (typeof resourceId !== 'string' || !RESOURCE_ID.test(resourceId)) fail(`${where}.resourceId must be a UUID`);
  if (seen.has(resourceId)) fail(`${where}.resourceId ${resourceId} is listed twice`);
  seen.add(resourceId);
  if (typeof resourceName !== 'string') fail(`${where}.resourceName must be a string`);
  if (typeof locationId !== 'string') fail(`${where}.locationId must be a string`);
  for (const [name, value] of Object.entries(source)) {
    // The API's PascalCase names, as the wire gave them; values are the wire's strings.
    if (!/^[A-Z]/.test(name) || NOT_SOURCE.has(name)) fail(`${where} has an unknown field "${name.slice(0, 64)}"`);
    if (typeof value !== 'string') fail(`${where}.${name} must be a string`);
  }
  const params = { ...source, CasterId: 'caster', ResourceName: resourceName, LocationId: locationId };
  const [problem] = validateParams('AddCasterVideoResource', params);
  if (problem) fail(`${where} is not a valid video source: ${problem.message}`);
  return { resourceId, resourceName, locationId, ...source };
}

/** A studio's tags: `[{ key, value }]`, keys unique, at most MAX_STUDIO_TAGS. */
function readTags(tags, where, fail) {
  if (!Array.isArray(tags)) fail(`${where} must be an array of { key, value }`);
  if (tags.length > MAX_STUDIO_TAGS) fail(`${where} has ${tags.length} tags, more than ${MAX_STUDIO_TAGS}`);
  const keys = new Set();
  return tags.map((tag, i) => {
    onlyFields(tag, ['key', 'value'], `${where}[${i}]`, fail);
    const { key, value = '' } = tag;
    const plain = (text, max) => typeof text === 'string' && text.length <= max && !/[\x00-\x1f\x7f]/.test(text);
    if (!plain(key, MAX_TAG_KEY_CHARS) || key === '') fail(`${where}[${i}].key must be text of 1 to ${MAX_TAG_KEY_CHARS} characters, no control characters`);
    if (!plain(value, MAX_TAG_VALUE_CHARS)) fail(`${where}[${i}].value must be text of at most ${MAX_TAG_VALUE_CHARS} characters, no control characters`);
    if (keys.has(key)) fail(`${where}[${i}].key ${JSON.stringify(key.slice(0, 64))} is listed twice`);
    keys.add(key);
    return { key, value };
  });
}

function readCaster(caster, where, ids, resourceIds, saved, fail) {
  onlyFields(caster, saved ? SAVED_CASTER_FIELDS : CASTER_FIELDS, where, fail);
  const { casterId } = caster;
  if (!isWireId(casterId)) fail(`${where}.casterId must be an ID the API accepts (not empty, no whitespace or control characters, at most 128 bytes)`);
  if (ids.has(casterId)) fail(`${where}.casterId ${casterId} is listed twice`);
  ids.add(casterId);
  // A name and tags are kept only when given (listCasters gives the defaults): the state of a
  // studio without them is written as it was before they existed.
  const named = {};
  if (caster.casterName !== undefined) {
    const { casterName } = caster;
    if (typeof casterName !== 'string' || casterName === ''
      || validateParams('DescribeCasters', { CasterName: casterName }).length > 0) {
      fail(`${where}.casterName must be a name the API accepts (not empty, no control characters)`);
    }
    named.casterName = casterName;
  }
  if (caster.tags !== undefined) named.tags = readTags(caster.tags, `${where}.tags`, fail);
  const status = saved ? caster.status : caster.status ?? 'started';
  if (status !== 'idle' && status !== 'started') fail(`${where}.status must be "idle" or "started"`);
  const ingestEndpoints = saved ? caster.ingestEndpoints : caster.ingestEndpoints ?? 4;
  if (!Number.isSafeInteger(ingestEndpoints) || ingestEndpoints < 0) fail(`${where}.ingestEndpoints must be a whole number ≥ 0`);
  const scenesIn = saved ? caster.scenes : caster.scenes ?? [];
  if (!Array.isArray(scenesIn)) fail(`${where}.scenes must be an array`);
  const sceneIds = new Set();
  const scenes = scenesIn.map((scene, j) => {
    const read = readScene(scene, `${where}.scenes[${j}]`, { casterId, status }, saved, fail);
    if (sceneIds.has(read.sceneId)) fail(`${where}.scenes[${j}].sceneId ${read.sceneId} is listed twice`);
    sceneIds.add(read.sceneId);
    return read;
  });
  if (!saved) return { casterId, ...named, status, ingestEndpoints, scenes, resources: [] };

  if (!Array.isArray(caster.resources)) fail(`${where}.resources must be an array`);
  if (caster.resources.length > ingestEndpoints) fail(`${where} holds ${caster.resources.length} video sources, more than its ${ingestEndpoints} ingest endpoints`);
  const locations = new Set();
  const resources = caster.resources.map((resource, k) => {
    const read = readResource(resource, `${where}.resources[${k}]`, resourceIds, fail);
    if (locations.has(read.locationId)) fail(`${where}.resources[${k}].locationId ${read.locationId} holds two video sources`);
    locations.add(read.locationId);
    return read;
  });
  return { casterId, ...named, status, ingestEndpoints, scenes, resources };
}

function readCasters(casters, saved, fail) {
  if (!Array.isArray(casters)) fail('"casters" must be an array');
  const ids = new Set();
  const resourceIds = new Set();
  return casters.map((caster, i) => readCaster(caster, `casters[${i}]`, ids, resourceIds, saved, fail));
}

/** Checks the `casters` of a config file and gives each its runtime fields. */
export function castersFromConfig(casters) {
  return readCasters(casters, false, (message) => { throw new Error(`emulator config: ${message}`); });
}

/** Checks the whole of a state file's text; returns its studios, or throws naming the file. */
export function castersFromStateFile(file, text) {
  const fail = (message) => { throw new Error(`state file ${file}: ${message}`); };
  let saved;
  try {
    saved = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the text, which holds stream URLs (and their auth keys).
    fail('is not valid JSON (is it an emulator state file?)');
  }
  onlyFields(saved, ['casters'], 'the top level', fail);
  return readCasters(saved.casters, true, fail);
}

/** What a config decides about a studio; the rest (scene status, sources) is the emulator's. */
const definition = ({ casterId, casterName = casterId, tags = [], status, ingestEndpoints, scenes }) =>
  JSON.stringify([casterId, casterName, tags, status, ingestEndpoints, scenes.map(({ sceneId, type }) => [sceneId, type])]);

/** A state file started from a config must hold that config's studios, no more, no fewer. */
function checkSameStudios(saved, configured, file, configName) {
  const fromConfig = new Map(configured.map((c) => [c.casterId, definition(c)]));
  const fromState = new Map(saved.map((c) => [c.casterId, definition(c)]));
  const name = (id) => JSON.stringify(id.slice(0, 128));
  let problem;
  for (const [id, def] of fromConfig) {
    if (!fromState.has(id)) problem ??= `studio ${name(id)} of the config is not in the state file`;
    else if (fromState.get(id) !== def) problem ??= `studio ${name(id)} differs (name, tags, status, ingest endpoints or scenes)`;
  }
  for (const id of fromState.keys()) if (!fromConfig.has(id)) problem ??= `studio ${name(id)} of the state file is not in the config`;
  if (problem) {
    throw new Error(`state file ${file} holds other studios than ${configName}: ${problem}. `
      + 'Start with the config the state file was made from, or remove the state file to start afresh from this config.');
  }
}

// ---------------------------------------------------------------------------------------------
// Files: bounded reads, durable writes, the lock
// ---------------------------------------------------------------------------------------------

const codeOf = (error) => (typeof error?.code === 'string' ? error.code : 'EUNKNOWN');

/**
 * A regular file's contents, at most `limit` bytes (checked before reading), or undefined when
 * it does not exist. Opened non-blocking, so a FIFO named as the file cannot hang the start.
 */
export function readFileLimited(file, limit, what) {
  let fd;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${what} ${file}: ${codeOf(error)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${what} ${file} is not a regular file`);
    if (stat.size > limit) throw new Error(`${what} ${file} is ${stat.size} bytes, over the limit of ${limit}`);
    const buffer = Buffer.alloc(stat.size + 1);
    let length = 0;
    for (;;) { // at most size + 1 bytes: a file that grows past its size while read is refused
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > stat.size) throw new Error(`${what} ${file} changed while it was read`);
    }
    return buffer.toString('utf8', 0, length);
  } catch (error) {
    if (error.code === undefined) throw error;
    throw new Error(`cannot read ${what} ${file}: ${codeOf(error)}`);
  } finally {
    closeSync(fd);
  }
}

/** Writes all of `buffer`: writeSync may write less than asked (a full disk), so loop until done. */
function writeAll(fd, buffer) {
  let offset = 0;
  while (offset < buffer.length) { // each round writes at least one byte, or throws
    const n = writeSync(fd, buffer, offset, buffer.length - offset);
    if (!(n > 0)) throw Object.assign(new Error('the disk took no more bytes'), { code: 'ENOSPC' });
    offset += n;
  }
}

function syncDirectory(dir) {
  let fd;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return; // a platform that cannot open a directory (Windows): the rename is still atomic
  }
  try {
    fsyncSync(fd);
  } catch (error) {
    // Some file systems do not fsync directories; any other failure is a failure to write.
    if (!['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EISDIR', 'EPERM', 'EBADF'].includes(error.code)) throw error;
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates or truncates `path` and writes all of `buffer` to it, fsynced; or throws, having removed
 * it (giving its space back). Closing is checked too: it can report a failed write.
 */
function writeSynced(path, buffer) {
  let fd;
  try {
    fd = openSync(path, 'w', 0o600);
    writeAll(fd, buffer);
    fsyncSync(fd);
    const done = fd;
    fd = undefined;
    closeSync(done);
  } catch (error) {
    if (fd !== undefined) try { closeSync(fd); } catch { /* already failing */ }
    unlinkQuietly(path);
    throw error;
  }
}

/**
 * Replaces `file` with `buffer`, durably, or throws and leaves `file` as it was: a temporary file
 * in the same directory written whole and fsynced, renamed over `file`, then the directory fsynced.
 */
function writeDurably(file, buffer) {
  const temp = `${file}.${process.pid}.tmp`;
  writeSynced(temp, buffer);
  try {
    renameSync(temp, file);
  } catch (error) {
    unlinkQuietly(temp);
    throw error;
  }
  syncDirectory(dirname(file));
}

/** The running process's identity, as far as the platform tells (Linux: boot and start time). */
function readProc(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
const bootId = () => readProc('/proc/sys/kernel/random/boot_id')?.trim();
/** The start time of process `pid` in clock ticks since boot (field 22 of /proc/<pid>/stat). */
function startTimeOf(pid) {
  const stat = readProc(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM'; // exists, but is someone else's
  }
}

/**
 * Whether the process a lock names may still hold it. A pid alone is not enough: after a SIGKILL
 * the pid may have been given to an unrelated process, so its start time is compared too (and the
 * boot, for a lock that survived a reboot). A lock from another host cannot be judged: held.
 */
function holds(owner) {
  if (owner.host !== hostname()) return true;
  const boot = bootId();
  if (owner.boot !== undefined && boot !== undefined && owner.boot !== boot) return false;
  if (!isAlive(owner.pid)) return false;
  const started = startTimeOf(owner.pid);
  return owner.started === undefined || started === undefined || owner.started === started;
}

function readLockOwner(path, file) {
  const text = readFileLimited(path, MAX_LOCK_BYTES, 'lock file');
  if (text === undefined) return undefined;
  let owner;
  try {
    owner = JSON.parse(text);
  } catch { /* below */ }
  if (!isObject(owner) || !Number.isSafeInteger(owner.pid) || owner.pid <= 0 || typeof owner.host !== 'string') {
    throw new Error(`state file ${file}: its lock ${path} is not an emulator's lock; remove it if no emulator uses ${file}`);
  }
  return owner;
}

const inUse = (file, path, owner) => new Error(`state file ${file} is in use by the emulator of process ${owner.pid}`
  + `${owner.host === hostname() ? '' : ` on ${owner.host.slice(0, 64)}`} (lock ${path}): stop it first, or give another --state file`);

/** An exclusive lock on a state file: FILE.lock, which holds its owner's identity. */
class StateLock {
  #path;
  #inode;

  constructor(path, inode) {
    this.#path = path;
    this.#inode = inode;
  }

  /**
   * The lock is a hard link to a complete, fsynced file of ours, so it never exists half-written;
   * a stale one is renamed aside and then checked to be the very file judged stale (an emulator
   * starting at the same moment may have taken it over in between).
   */
  static acquire(file) {
    const path = `${file}.lock`;
    const temp = `${path}.${process.pid}.tmp`;
    const me = { pid: process.pid, host: hostname(), boot: bootId(), started: startTimeOf(process.pid) };
    try {
      writeSynced(temp, Buffer.from(`${JSON.stringify(me)}\n`));
    } catch (error) {
      throw new Error(`state file ${file}: cannot write its lock ${path}: ${codeOf(error)}`);
    }
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          linkSync(temp, path);
          return new StateLock(path, statSync(path).ino);
        } catch (error) {
          if (error.code !== 'EEXIST') throw new Error(`state file ${file}: cannot take its lock ${path}: ${codeOf(error)}`);
        }
        const inode = statInode(path);
        const owner = readLockOwner(path, file);
        if (owner === undefined || inode === undefined) continue; // released meanwhile
        if (holds(owner)) throw inUse(file, path, owner);
        const aside = `${path}.${process.pid}.stale`;
        try {
          renameSync(path, aside);
        } catch (error) {
          if (error.code === 'ENOENT') continue;
          throw new Error(`state file ${file}: cannot remove its stale lock ${path}: ${codeOf(error)}`);
        }
        if (statInode(aside) !== inode) {
          // Not the stale lock but a live one that replaced it: put it back, and give way.
          try { linkSync(aside, path); } catch { /* a third emulator holds it now */ }
          unlinkQuietly(aside);
          throw new Error(`state file ${file} was locked by another emulator while this one started`);
        }
        unlinkQuietly(aside);
      }
      throw new Error(`state file ${file}: its lock ${path} keeps changing; is another emulator starting?`);
    } finally {
      unlinkQuietly(temp);
    }
  }

  /** Removes the lock if it is still ours. */
  release() {
    if (this.#path === undefined) return;
    if (statInode(this.#path) === this.#inode) unlinkQuietly(this.#path);
    this.#path = undefined;
  }
}

function statInode(path) {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

function unlinkQuietly(path) {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes what killed emulators left next to `file`: FILE.<pid>.tmp (the caller holds the lock,
 * so no other emulator is writing one), and FILE.lock.<pid>.tmp/.stale of processes that are gone.
 */
function removeLeftovers(file) {
  const dir = dirname(file);
  const base = basename(file);
  let removed = 0;
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(`${base}.`)) continue;
    const rest = name.slice(base.length + 1);
    const lockTemp = /^lock\.(\d+)\.(?:tmp|stale)$/.exec(rest);
    const stale = /^\d+\.tmp$/.test(rest) || (lockTemp && !isAlive(Number(lockTemp[1])));
    if (stale && unlinkQuietly(join(dir, name))) removed++;
  }
  return removed;
}

// ---------------------------------------------------------------------------------------------
// The state
// ---------------------------------------------------------------------------------------------

/** The operation failed for a reason the state gives: the server's code and status. */
export class StateError extends Error {
  constructor(code, httpStatus, message) {
    super(message);
    this.code = code;
    this.httpStatus = httpStatus;
  }
}

/** The state could not be written: the changes it carried are undone. `code` is the errno code. */
export class StateWriteError extends Error {
  constructor(code) {
    super(`the state could not be written (${code})`);
    this.code = code;
  }
}

export class CasterState {
  #casters;
  #file;
  #lock;
  #log;
  #saved; // the text of the state file: what a failed write returns the state to
  #version = 0; // counts changes made in memory
  #written = 0; // the version the state file holds
  #next; // the write that will carry the changes not yet on disk

  constructor(casters, file, { lock, log = () => {}, saved } = {}) {
    this.#casters = casters;
    this.#file = file;
    this.#lock = lock;
    this.#log = log;
    this.#saved = saved;
  }

  /**
   * From a state file if it exists, else from the config's studios (then written out). Takes the
   * file's lock and removes leftovers first; throws an Error naming the file when anything is off.
   * `fromConfig`: the studios were named by a config (`configName`), which the file must match.
   */
  static open(file, casters, { fromConfig = false, configName = 'the config', log = () => {} } = {}) {
    if (!file) return new CasterState(casters);
    const lock = StateLock.acquire(file);
    try {
      const removed = removeLeftovers(file);
      if (removed > 0) log(`state: removed ${removed} temporary file(s) a stopped emulator left next to ${file}`);
      const text = readFileLimited(file, MAX_STATE_BYTES, 'state file');
      if (text !== undefined) {
        const saved = castersFromStateFile(file, text);
        if (fromConfig) checkSameStudios(saved, casters, file, configName);
        return new CasterState(saved, file, { lock, log, saved: text });
      }
      const state = new CasterState(casters, file, { lock, log });
      try {
        state.#write();
      } catch (error) {
        throw new Error(`state file ${file}: cannot write it: ${codeOf(error)}`);
      }
      return state;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /** A copy of the state for `GET /_emulator/state` (it holds no secrets). */
  snapshot() {
    return { casters: structuredClone(this.#casters) };
  }

  #caster(casterId) {
    const caster = this.#casters.find((c) => c.casterId === casterId);
    if (!caster) throw new StateError('InvalidCaster.NotFound', 404, 'The specified production studio does not exist.');
    return caster;
  }

  /** StartCasterScene: marks a PVW scene in use and returns its output stream URL. */
  startScene(casterId, sceneId) {
    const caster = this.#caster(casterId);
    if (caster.status !== 'started') {
      throw new StateError('IncorrectCasterStatus.Idle', 400, 'The production studio is idle; start it before starting a scene.');
    }
    const scene = caster.scenes.find((s) => s.sceneId === sceneId);
    if (!scene) throw new StateError('InvalidScene.NotFound', 404, 'The specified scene does not exist.');
    if (scene.type !== 'PVW') throw new StateError('IncorrectSceneStatus', 400, 'Only a preview (PVW) scene can be started.');
    // Starting a scene that is already in use answers the same stream: a retried call is harmless.
    if (scene.status !== 'inUse') {
      scene.status = 'inUse';
      scene.streamUrl = streamUrlOf(casterId, sceneId);
      this.#version++;
    }
    return scene.streamUrl;
  }

  /** AddCasterVideoResource: records a source at a free location; returns its ResourceId. */
  addResource(casterId, { ResourceName, LocationId, CasterId: _caster, RegionId: _region, ...source }) {
    const caster = this.#caster(casterId);
    if (caster.resources.some((r) => r.locationId === LocationId)) {
      throw new StateError('DuplicateLocationID', 400, `Location ${LocationId} already holds a video source.`);
    }
    if (caster.resources.length >= caster.ingestEndpoints) {
      throw new StateError('ResourceNumberExceed', 400,
        `The production studio takes ${caster.ingestEndpoints} video sources, one per ingest endpoint.`);
    }
    const resourceId = randomUUID();
    caster.resources.push({ resourceId, resourceName: ResourceName, locationId: LocationId, ...source });
    this.#version++;
    return resourceId;
  }

  /**
   * DescribeCasters: the studios that pass every filter given, in the config's order, and how
   * many they are before paging. `tags`: `[{ key?, value? }]`, each of which a studio must carry
   * (a tag without a value matches any value of its key; without a key, that value under any key).
   */
  listCasters({ casterId, casterName, status, tags = [] } = {}) {
    return this.#casters.filter((caster) => (casterId === undefined || caster.casterId === casterId)
      && (casterName === undefined || (caster.casterName ?? caster.casterId) === casterName)
      && (status === undefined || caster.status === status)
      && tags.every(({ key, value }) => (caster.tags ?? []).some((t) => (key === undefined || t.key === key) && (value === undefined || t.value === value))))
      .map(({ casterId: id, casterName: name = id, tags: own = [], status: state }) => ({
        casterId: id, casterName: name, tags: structuredClone(own), status: state,
      }));
  }

  /** DescribeCasterScenes: a studio's scenes, or the one `sceneId` (none when it has no such scene). */
  listScenes(casterId, sceneId) {
    const { scenes } = this.#caster(casterId);
    return structuredClone(sceneId === undefined ? scenes : scenes.filter((s) => s.sceneId === sceneId));
  }

  /** DescribeCasterVideoResources: a studio's video sources as stored (wire text). */
  listResources(casterId) {
    return structuredClone(this.#caster(casterId).resources);
  }

  #resource(caster, resourceId) {
    const index = caster.resources.findIndex((r) => r.resourceId === resourceId);
    if (index < 0) throw new StateError('InvalidResource.NotFound', 404, 'The specified video source does not exist.');
    return index;
  }

  /**
   * ModifyCasterVideoResource: the given fields replace the stored ones. A new source replaces
   * the old one, and the file-only fields go with a source that is not a file. The result must be
   * a source AddCasterVideoResource would take (so the state file stays one this emulator reads);
   * else InvalidParameter, and nothing changes.
   */
  modifyResource(casterId, resourceId, { ResourceName, CasterId: _c, ResourceId: _r, RegionId: _g, OwnerId: _o, ...given }) {
    const caster = this.#caster(casterId);
    const index = this.#resource(caster, resourceId);
    const { resourceId: id, resourceName, locationId, ...stored } = caster.resources[index];
    const source = { ...stored };
    const newSource = SOURCE_FIELDS.find((name) => given[name] !== undefined);
    if (newSource !== undefined) {
      for (const name of SOURCE_FIELDS) delete source[name];
      if (newSource !== 'VodUrl' && newSource !== 'MaterialId') for (const name of FILE_ONLY_FIELDS) delete source[name];
    }
    Object.assign(source, given);
    const name = ResourceName ?? resourceName;
    const [problem] = validateParams('AddCasterVideoResource', { ...source, CasterId: casterId, ResourceName: name, LocationId: locationId });
    if (problem) throw new StateError(problem.code, 400, `The video source would not be valid after this change: ${problem.message}`);
    caster.resources[index] = { resourceId: id, resourceName: name, locationId, ...source };
    this.#version++;
  }

  /** DeleteCasterVideoResource: removes a source; its location is free again. */
  deleteResource(casterId, resourceId) {
    const caster = this.#caster(casterId);
    caster.resources.splice(this.#resource(caster, resourceId), 1);
    this.#version++;
  }

  /** StopCasterScene: a started PVW scene becomes idle, and may be started again. */
  stopScene(casterId, sceneId) {
    const caster = this.#caster(casterId);
    const scene = caster.scenes.find((s) => s.sceneId === sceneId);
    if (!scene) throw new StateError('InvalidScene.NotFound', 404, 'The specified scene does not exist.');
    if (scene.type !== 'PVW') throw new StateError('IncorrectSceneStatus', 400, 'Only a preview (PVW) scene can be stopped.');
    if (scene.status !== 'inUse') throw new StateError('IncorrectSceneStatus.Idle', 400, 'The scene is not started.');
    scene.status = 'idle';
    delete scene.streamUrl;
    this.#version++;
  }

  /**
   * Resolves once the state as this caller saw it is on disk (at once without a state file, or
   * when nothing is pending). Every change made before the write begins goes into it; if it fails,
   * all of them are undone and every caller waiting for it gets a StateWriteError.
   */
  persist() {
    if (!this.#file || this.#written === this.#version) return Promise.resolve();
    this.#next ??= new Promise((resolve) => { setImmediate(resolve); }).then(() => {
      this.#next = undefined;
      this.#commit();
    });
    return this.#next;
  }

  /** Writes out every pending change, or undoes them all and throws. */
  #commit() {
    if (this.#written === this.#version) return;
    try {
      this.#write();
    } catch (error) {
      const code = codeOf(error);
      const undone = this.#version - this.#written;
      this.#casters = castersFromStateFile(this.#file, this.#saved);
      this.#written = this.#version; // memory holds what the file holds again
      this.#log(`state: cannot write ${this.#file} (${code}); ${undone} change(s) undone, their requests answered InternalError`);
      throw new StateWriteError(code);
    }
  }

  #write() {
    const version = this.#version;
    const text = `${JSON.stringify({ casters: this.#casters }, null, 2)}\n`;
    const buffer = Buffer.from(text);
    // Never a file this emulator would refuse to read back.
    if (buffer.length > MAX_STATE_BYTES) throw Object.assign(new Error('state too large'), { code: 'EFBIG' });
    writeDurably(this.#file, buffer);
    this.#saved = text;
    this.#written = version;
  }

  /** Writes what is pending, then releases the state file's lock. */
  async close() {
    try {
      await this.persist();
    } finally {
      this.#lock?.release();
      this.#lock = undefined;
    }
  }
}
