/**
 * What the status-bar item shows, computed from the manager's state. Pure (no `vscode`), so the
 * wording and the health rules are unit-tested.
 */
import {
  formatDuration,
  formatUsd,
  isFree,
  type ManagerMetrics,
  type ModelInfo,
  type RoutingState,
} from '../core';
import { teamBudgetView, type TeamBudgetReading } from './teamBudgets';

export type ChainHealth = 'noModels' | 'healthy' | 'degraded' | 'down' | 'budgetExhausted';

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

const ICONS: Record<ChainHealth, string> = {
  noModels: '$(gear)',
  healthy: '$(pass-filled)',
  degraded: '$(warning)',
  down: '$(error)',
  budgetExhausted: '$(credit-card)',
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

export function chainHealth(input: Pick<StatusInput, 'models' | 'metrics'>): ChainHealth {
  const { models, metrics } = input;
  if (models.length === 0) return 'noModels';
  const { spend } = metrics;
  const exhausted =
    spend.hardStop &&
    ((spend.dailyBudgetUsd !== undefined && spend.todayUsd >= spend.dailyBudgetUsd) ||
      (spend.monthlyBudgetUsd !== undefined && spend.monthUsd >= spend.monthlyBudgetUsd));
  if (exhausted && models.every((m) => !isFree(m.metadata))) return 'budgetExhausted';
  const available = models.filter((m) => m.circuit.state === 'closed' || m.circuit.state === 'halfOpen');
  if (available.length === 0) return 'down';
  if (exhausted || models.some((m) => m.circuit.state !== 'closed')) return 'degraded';
  return 'healthy';
}

export function buildStatusView(input: StatusInput): StatusView {
  const health = chainHealth(input);
  const { metrics, now } = input;
  const spendText = formatUsd(metrics.spend.todayUsd);
  const first = input.firstChoice ?? input.models[0]?.name;
  const demo = input.demo ? 'Demo · ' : '';
  const text =
    health === 'noModels'
      ? `${ICONS.noModels} LLM Manager: set up`
      : `${ICONS[health]} ${demo}${first ?? 'no model'} · ${spendText}${input.routingNote ? ' · $(arrow-down) budget pressure' : ''}`;
  const background =
    health === 'noModels' || (health === 'healthy' && !input.routingNote)
      ? 'none'
      : health === 'degraded' || health === 'healthy'
        ? 'warning'
        : 'error';

  const lines: string[] = [];
  const headline: Record<ChainHealth, string> = {
    noModels: 'No models configured yet.',
    healthy: 'All circuits closed.',
    degraded: 'Some models are unavailable; the chain routes around them.',
    down: 'Every circuit is open: requests will fail until a probe succeeds.',
    budgetExhausted: 'Budget used up: paid models are stopped.',
  };
  lines.push(`**LLM Manager** — ${headline[health]}${input.demo ? ' *(demo models)*' : ''}`, '');
  if (input.routingNote) lines.push(`$(info) ${input.routingNote}`, '');
  if (input.models.length > 0) {
    lines.push('| | Model | Circuit | Last error | Today |', '|---|---|---|---|---:|');
    for (const info of input.models) {
      const name = info.name === first ? `**${escapeCell(info.name)}**` : escapeCell(info.name);
      const key = input.missingKeys.has(info.name) ? ' $(key) no key' : '';
      const price = info.metadata.priceUnknown ? ' $(tag) price unknown' : '';
      const reading = input.teamBudgets?.get(info.name);
      const team = reading ? ` · ${escapeCell(teamBudgetView(reading, now).text)}` : '';
      const lastError = info.lastError
        ? `${info.lastError.kind}, ${formatDuration(now - info.lastError.at)} ago`
        : '—';
      lines.push(
        `| ${circuitIcon(info)} | ${name}${key}${price}${team} | ${circuitLabel(info, now)} | ${escapeCell(lastError)} | ${info.metadata.priceUnknown ? '?' : formatUsd(info.spend.todayUsd)} |`,
      );
    }
    lines.push('');
  }
  const budget = metrics.spend;
  const budgetParts = [
    `Today ${formatUsd(budget.todayUsd)}${budget.dailyBudgetUsd ? ` of ${formatUsd(budget.dailyBudgetUsd)}` : ''}`,
  ];
  budgetParts.push(
    `this month ${formatUsd(budget.monthUsd)}${budget.monthlyBudgetUsd ? ` of ${formatUsd(budget.monthlyBudgetUsd)}` : ''}`,
  );
  lines.push(budgetParts.join(' · '));
  lines.push(
    '',
    '[Choose model](command:llmManager.chooseActiveModel) · [Reset circuits](command:llmManager.resetCircuit) · [Metrics](command:llmManager.showMetrics)',
  );
  const accessibilityLabel =
    health === 'noModels'
      ? 'LLM Manager: no models configured'
      : `LLM Manager: ${headline[health]} First choice ${first}. Spent today ${spendText}.`;
  return { health, text, tooltip: lines.join('\n'), background, accessibilityLabel };
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
