/**
 * The webview's copy of the view state, kept by applying the host's messages. Pure (no DOM), so it
 * is unit-tested: a snapshot replaces everything, an update replaces the sections it names and
 * keeps the others as the same objects (the renderer redraws only sections whose object changed).
 */
import { TRACE_LIMIT, type HostMessage, type SectionName, type ViewState } from '../shared/protocol';

export interface ClientView {
  readonly state: ViewState;
  /** Host clock minus this page's clock: countdowns use the host's time. */
  readonly clockOffset: number;
}

/**
 * The view after `message`. An update before any snapshot is ignored (undefined stays): the page
 * asked for a snapshot and will get one.
 */
export function applyHostMessage(
  current: ClientView | undefined,
  message: HostMessage,
  localNow: number,
): ClientView | undefined {
  const clockOffset = message.now - localNow;
  if (message.type === 'snapshot') return { state: message.state, clockOffset };
  if (!current) return undefined;
  const state: Record<string, unknown> = { ...current.state, ...message.changes };
  if (message.tracesAdded && message.tracesAdded.length > 0) {
    const known = message.changes.traces ?? current.state.traces ?? [];
    state.traces = [...message.tracesAdded, ...known].slice(0, TRACE_LIMIT);
  }
  return { state: state as unknown as ViewState, clockOffset };
}

/** Sections whose object differs between two states. */
export function changedSections(previous: ViewState | undefined, next: ViewState): SectionName[] {
  return (Object.keys(next) as SectionName[]).filter((name) => previous?.[name] !== next[name]);
}
