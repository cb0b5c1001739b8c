import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ScenarioName = 'uac-rtp' | 'uas-rtp';

export interface ScenarioVars {
  /** Absolute path of the headerless G.711 file to stream. */
  audio: string;
  codec: 'PCMU' | 'PCMA';
  /** uac: how long the caller holds; uas: how long it waits for a BYE before sending its own. */
  holdMs: number;
}

const scenarioDir = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

/** SIPp reads neither env nor keywords in rtp_stream's file name, so the XML is filled in per run. */
export async function renderScenario(name: ScenarioName, vars: ScenarioVars, outDir: string): Promise<string> {
  const template = await readFile(join(scenarioDir, `${name}.xml`), 'utf8');
  const xml = template
    .replaceAll('{{AUDIO}}', vars.audio)
    .replaceAll('{{PT}}', vars.codec === 'PCMU' ? '0' : '8')
    .replaceAll('{{CODEC}}', vars.codec)
    .replaceAll('{{HOLD_MS}}', String(Math.round(vars.holdMs)));
  const out = join(outDir, `${name}.xml`);
  await writeFile(out, xml);
  return out;
}
