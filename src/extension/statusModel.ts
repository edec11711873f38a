/**
 * What the status-bar item shows, computed from the manager's state. Pure (no `vscode`), so the
 * wording and the health rules are unit-tested.
 */
import {
  formatDuration,
  formatUsd,
  formatUsdTogether,
  type ManagerMetrics,
  type ModelInfo,
  type RoutingState,
} from '../core';
import { chainHeadline, chainHealth, type ChainHealth } from './chainHealth';
import { teamBudgetView, type TeamBudgetReading } from './teamBudgets';

export { chainHealth, type ChainHealth } from './chainHealth';

export interface StatusView {
  readonly health: ChainHealth;
  /** Text with codicons, e.g. `$(pass-filled) gpt-4o · $0.42`. */
  readonly text: string;
  /** Markdown for the tooltip. */
  readonly tooltip: string;
  /** Background: none, warning or error (theme colours). */
  readonly background: 'none' | 'warning' | 'error';
  /** Short text for screen readers. */
  readonly accessibilityLabel: string;
}

export interface StatusInput {
  /** Models in chain order. */
  readonly models: readonly ModelInfo[];
  readonly metrics: ManagerMetrics;
  /** The model tried first, if any. */
  readonly firstChoice?: string;
  readonly now: number;
  readonly demo: boolean;
  /** Ids of models that need a key and have none. */
  readonly missingKeys: ReadonlySet<string>;
  /** A note when budget pressure changes routing (issue: task-aware routing). */
  readonly routingNote?: string;
  /** The last reading of each gateway member's team budget (teamBudgets.ts). */
  readonly teamBudgets?: ReadonlyMap<string, TeamBudgetReading>;
}

/**
 * The item's icon and background, one pair per look, so the icon always says what the colour
 * does: no check mark on an amber background. A healthy chain under budget pressure (routing
 * moved to cheaper models) has its own look.
 */
type StatusLook = ChainHealth | 'budgetPressure';

const LOOKS: Record<StatusLook, { readonly icon: string; readonly background: StatusView['background'] }> = {
  noModels: { icon: '$(gear)', background: 'none' },
  healthy: { icon: '$(pass-filled)', background: 'none' },
  budgetPressure: { icon: '$(dashboard)', background: 'warning' },
  degraded: { icon: '$(warning)', background: 'warning' },
  down: { icon: '$(error)', background: 'error' },
  budgetExhausted: { icon: '$(credit-card)', background: 'error' },
};

export function circuitLabel(info: ModelInfo, now: number): string {
  const circuit = info.circuit;
  switch (circuit.state) {
    case 'closed':
      return 'closed';
    case 'open':
      return circuit.nextProbeAt !== undefined
        ? `open · probe in ${formatDuration(Math.max(0, circuit.nextProbeAt - now))}`
        : 'open';
    case 'halfOpen':
      return 'half-open · probing';
    case 'isolated':
      return 'isolated by you';
  }
}

export function circuitIcon(info: ModelInfo): string {
  switch (info.circuit.state) {
    case 'closed':
      return '$(pass-filled)';
    case 'open':
      return '$(error)';
    case 'halfOpen':
      return '$(sync)';
    case 'isolated':
      return '$(debug-disconnect)';
  }
}

export function buildStatusView(input: StatusInput): StatusView {
  const health = chainHealth(input);
  const { metrics } = input;
  const spendText = formatUsd(metrics.spend.todayUsd);
  const first = input.firstChoice ?? input.models[0]?.name;
  const demo = input.demo ? 'Demo · ' : '';
  const look = LOOKS[health === 'healthy' && input.routingNote ? 'budgetPressure' : health];
  const text =
    health === 'noModels'
      ? `${look.icon} LLM Manager: set up`
      : `${look.icon} ${demo}${first ?? 'no model'} · ${spendText}${input.routingNote ? ' · budget pressure' : ''}`;

  const headline = chainHeadline(health, input.models).text;
  const lines: string[] = [];
  lines.push(`**LLM Manager** — ${escapeCell(headline)}${input.demo ? ' *(demo models)*' : ''}`, '');
  if (input.routingNote) lines.push(`$(info) ${input.routingNote}`, '');
  if (input.models.length > 0) {
    lines.push(...modelTable(input, first));
    lines.push('');
  }
  const budget = metrics.spend;
  lines.push(
    [
      `Today ${spentOf(budget.todayUsd, budget.dailyBudgetUsd)}`,
      `this month ${spentOf(budget.monthUsd, budget.monthlyBudgetUsd)}`,
    ].join(' · '),
  );
  lines.push(
    '',
    '[Choose model](command:llmManager.chooseActiveModel) · [Reset circuits](command:llmManager.resetCircuit) · [Metrics](command:llmManager.showMetrics)',
  );
  const accessibilityLabel =
    health === 'noModels'
      ? 'LLM Manager: no models configured'
      : `LLM Manager: ${headline} First choice ${first}. Spent today ${spendText}.`;
  return { health, text, tooltip: lines.join('\n'), background: look.background, accessibilityLabel };
}

/**
 * Hovers give table cells no padding, and a header cell is centred by default: the columns are
 * set apart by non-breaking spaces after every cell but the icon and the last, and aligned
 * explicitly (left, the spend right), so each header sits over its column.
 */
const CELL_GAP = '&nbsp;&nbsp;&nbsp;';

function tableRow(cells: readonly string[]): string {
  const last = cells.length - 1;
  return `| ${cells.map((cell, i) => (i > 0 && i < last ? `${cell}${CELL_GAP}` : cell)).join(' | ')} |`;
}

/** The tooltip's table: one row per model, its circuit, last error and spend today (one precision). */
function modelTable(input: StatusInput, first: string | undefined): string[] {
  const { now } = input;
  const spent = formatUsdTogether(...input.models.map((info) => info.spend.todayUsd));
  const rows = [tableRow(['', 'Model', 'Circuit', 'Last error', 'Today']), '|:--|:--|:--|:--|--:|'];
  input.models.forEach((info, i) => {
    const name = info.name === first ? `**${escapeCell(info.name)}**` : escapeCell(info.name);
    const key = input.missingKeys.has(info.name) ? ' $(key) no key' : '';
    const price = info.metadata.priceUnknown ? ' $(tag) price unknown' : '';
    const reading = input.teamBudgets?.get(info.name);
    const team = reading ? ` · ${escapeCell(teamBudgetView(reading, now).text)}` : '';
    const lastError = info.lastError
      ? `${info.lastError.kind}, ${formatDuration(now - info.lastError.at)} ago`
      : '—';
    rows.push(
      tableRow([
        circuitIcon(info),
        `${name}${key}${price}${team}`,
        circuitLabel(info, now),
        escapeCell(lastError),
        info.metadata.priceUnknown ? '?' : spent[i],
      ]),
    );
  });
  return rows;
}

/** `$0.0034 of $0.0136`, or the amount alone without a budget. */
function spentOf(spentUsd: number, limitUsd: number | undefined): string {
  if (!limitUsd) return formatUsd(spentUsd);
  const [spent, limit] = formatUsdTogether(spentUsd, limitUsd);
  return `${spent} of ${limit}`;
}

function escapeCell(text: string): string {
  return text.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`);
}

/** The status bar's note while a budget is nearly used up (and whether it moves standard tasks). */
export function routingNote(routing: RoutingState): string | undefined {
  if (!routing.pressure) return undefined;
  const budget = routing.pressure.period === 'day' ? 'daily' : 'monthly';
  const left = `${Math.round(routing.pressure.remainingShare * 100)} % of the ${budget} budget left`;
  return routing.standardUsesEconomy
    ? `Budget pressure (${left}): standard tasks use the economy chain.`
    : `Budget pressure: ${left}.`;
}
