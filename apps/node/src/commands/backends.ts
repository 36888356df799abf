import { probeBackends, selectBackend } from '../backend';
import type { Session } from '../session';

/** `likeness backends`: which backends run here, and which `--backend auto` picks. */
export async function backendsCommand(session: Session): Promise<void> {
  const probes = await probeBackends();
  const choice = await selectBackend(session.options.backend);
  for (const p of probes) session.log(`${p.ok ? '✓' : '✗'} ${p.name}${p.ok ? '' : `: ${p.reason}`}`);
  session.log(`chosen (--backend ${session.options.backend}): ${choice.name}`);
  session.result({ backends: probes, chosen: choice.name, refused: choice.refused.map(({ name, reason }) => ({ name, reason })) });
}
