/** The sidebar view's page: compact model cards, totals and budgets. */
import { startApp } from './app';
import { renderBudgets } from './render/budgets';
import { renderHeader } from './render/header';
import { renderModels } from './render/models';
import { renderTotals } from './render/totals';

startApp('sidebar', [
  {
    name: 'header',
    sections: ['header', 'models'],
    render: (state, context) => renderHeader(state.header, state.models, context),
  },
  { name: 'models', sections: ['models'], render: (state, context) => renderModels(state.models, context) },
  {
    name: 'totals',
    sections: ['totals', 'header', 'models'],
    render: (state, context) =>
      state.models.length > 0 ? renderTotals(state.totals, state.header, context) : [],
  },
  {
    name: 'budgets',
    sections: ['budgets', 'models'],
    render: (state) => (state.models.length > 0 ? renderBudgets(state.budgets) : []),
  },
]);
