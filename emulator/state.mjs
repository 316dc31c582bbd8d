// The emulator's state: production studios, their scenes and their video sources, kept in memory
// and, with a state file, written atomically (temp file, fsync, rename) before a change is
// acknowledged, so a kill at any moment leaves the previous or the new state, never a torn file.
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

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

function fail(message) {
  throw new Error(`emulator config: ${message}`);
}

/** Checks the `casters` of a config file and gives each its runtime fields. */
export function castersFromConfig(casters) {
  if (!Array.isArray(casters)) fail('"casters" must be an array');
  const ids = new Set();
  return casters.map((caster, i) => {
    const where = `casters[${i}]`;
    if (typeof caster?.casterId !== 'string' || caster.casterId === '') fail(`${where}.casterId must be a non-empty string`);
    if (ids.has(caster.casterId)) fail(`${where}.casterId ${caster.casterId} is listed twice`);
    ids.add(caster.casterId);
    const status = caster.status ?? 'started';
    if (status !== 'idle' && status !== 'started') fail(`${where}.status must be "idle" or "started"`);
    const ingestEndpoints = caster.ingestEndpoints ?? 4;
    if (!Number.isInteger(ingestEndpoints) || ingestEndpoints < 0) fail(`${where}.ingestEndpoints must be a whole number ≥ 0`);
    const scenes = (caster.scenes ?? []).map((scene, j) => {
      if (typeof scene?.sceneId !== 'string' || scene.sceneId === '') fail(`${where}.scenes[${j}].sceneId must be a non-empty string`);
      if (scene.type !== 'PVW' && scene.type !== 'PGM') fail(`${where}.scenes[${j}].type must be "PVW" or "PGM"`);
      return { sceneId: scene.sceneId, type: scene.type, status: 'idle' };
    });
    return { casterId: caster.casterId, status, ingestEndpoints, scenes, resources: [] };
  });
}

/** The operation failed for a reason the state gives: the server's code and status. */
export class StateError extends Error {
  constructor(code, httpStatus, message) {
    super(message);
    this.code = code;
    this.httpStatus = httpStatus;
  }
}

export class CasterState {
  #casters;
  #file;
  #version = 0;
  #written = 0;
  #writing;

  constructor(casters, file) {
    this.#casters = casters;
    this.#file = file;
  }

  /** From a state file if it exists, else from the config's studios (then written out). */
  static open(file, casters) {
    if (file) {
      let text;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        if (error.code !== 'ENOENT') throw error;
      }
      if (text !== undefined) {
        const saved = JSON.parse(text);
        if (!Array.isArray(saved?.casters)) throw new Error(`${file} is not an emulator state file`);
        return new CasterState(saved.casters, file);
      }
    }
    const state = new CasterState(casters, file);
    if (file) state.#writeNow();
    return state;
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
      scene.streamUrl = `rtmp://emulator.localhost/caster/${encodeURIComponent(casterId)}/${encodeURIComponent(sceneId)}`;
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

  /** Resolves once everything changed so far is on disk (at once without a state file). */
  async persist() {
    if (!this.#file) return;
    const target = this.#version;
    while (this.#written < target) {
      // One write at a time; a write covers every change made before it began.
      this.#writing ??= new Promise((resolve) => setImmediate(resolve)).then(() => {
        try {
          this.#writeNow();
        } finally {
          this.#writing = undefined;
        }
      });
      await this.#writing;
    }
  }

  #writeNow() {
    const version = this.#version;
    const temp = `${this.#file}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify({ casters: this.#casters }, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.#file);
    try {
      const dir = openSync(dirname(this.#file), 'r');
      try { fsyncSync(dir); } finally { closeSync(dir); }
    } catch {
      // Some file systems refuse to fsync a directory; the rename is still atomic.
    }
    this.#written = version;
  }
}
