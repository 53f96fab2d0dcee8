import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';

/**
 * Custom search attributes, so operations can be found in the Web UI and with
 * `temporal workflow list --query "DbmoveTarget='uat' AND DbmovePhase='AWAITING_SIGNOFF'"`.
 * Declared as plain keys (what defineSearchAttributeKey returns) so that workflow code needs
 * only a type import from @temporalio/common.
 */
const keyword = (name: string): SearchAttributeKey<'KEYWORD'> => ({ name, type: 'KEYWORD' });

export const DbmoveOperation = keyword('DbmoveOperation');
export const DbmoveSource = keyword('DbmoveSource');
export const DbmoveTarget = keyword('DbmoveTarget');
export const DbmovePhase = keyword('DbmovePhase');

export const ALL_SEARCH_ATTRIBUTES = [DbmoveOperation, DbmoveSource, DbmoveTarget, DbmovePhase];
