/** The dashboard panel's page: the sidebar's content at full size, the charts and the routing traces. */
import { startApp } from './app';
import { renderBudgets } from './render/budgets';
import { renderLatencyChart, renderOutcomesChart, renderSpendChart } from './render/charts';
import { renderHeader } from './render/header';
import { renderModels } from './render/models';
import { renderTotals } from './render/totals';
import { renderTraces } from './render/traces';

startApp('dashboard', [
  {
    name: 'header',
    sections: ['header', 'models'],
    render: (state, context) => renderHeader(state.header, state.models, context),
  },
  { name: 'models', sections: ['models'], render: (state, context) => renderModels(state.models, context) },
  {
    name: 'totals',
    sections: ['totals', 'header'],
    render: (state, context) => renderTotals(state.totals, state.header, context),
  },
  { name: 'budgets', sections: ['budgets'], render: (state) => renderBudgets(state.budgets) },
  {
    name: 'spend',
    sections: ['spendHistory'],
    followsWidth: true,
    render: (state, context) => (state.spendHistory ? renderSpendChart(state.spendHistory, context) : []),
  },
  {
    name: 'latency',
    sections: ['latency'],
    followsWidth: true,
    render: (state, context) => (state.latency ? renderLatencyChart(state.latency, context) : []),
  },
  {
    name: 'outcomes',
    sections: ['outcomes'],
    followsWidth: true,
    render: (state, context) => (state.outcomes ? renderOutcomesChart(state.outcomes, context) : []),
  },
  {
    name: 'traces',
    sections: ['traces'],
    render: (state, context) => (state.traces ? renderTraces(state.traces, context) : []),
  },
]);
