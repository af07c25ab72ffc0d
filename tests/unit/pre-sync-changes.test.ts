/** What a boot changes, in words, and whether it destroys data: pure rules, no database. */
import { describeChange, disabledBy, type BootState, type ChangeFacts, type ContentTypeShape } from '../../server/src/pre-sync/changes';
import { failureMessage } from '../../server/src/pre-sync/pre-sync-backup';
import { currentState } from '../../server/src/pre-sync/state';

const state = (overrides: Partial<BootState> = {}): BootState => ({
  strapiVersion: '5.54.0',
  pluginVersion: '0.1.0',
  plugins: { i18n: '5.54.0', 'users-permissions': '5.54.0' },
  components: { 'shared.seo': 'components_shared_seos' },
  ...overrides,
});

const page: ContentTypeShape = { collectionName: 'pages', attributes: { title: { type: 'string' }, summary: { type: 'text' } } };
const article: ContentTypeShape = { collectionName: 'articles', attributes: { title: { type: 'string' } } };

const noSchemaChange = { removedTables: [], addedTables: [], removedColumns: [], updatedTables: [] };

const facts = (overrides: Partial<ChangeFacts> = {}): ChangeFacts => ({
  recorded: state(),
  current: state(),
  oldContentTypes: { 'api::page.page': page, 'api::article.article': article },
  contentTypes: { 'api::page.page': page, 'api::article.article': article },
  migrationsPending: false,
  schema: null,
  ...overrides,
});

describe('describeChange', () => {
  it('is null when nothing changes', () => {
    expect(describeChange(facts())).toBeNull();
  });

  it('names Strapi and plugin upgrades as a pre-update, with both versions', () => {
    const change = describeChange(
      facts({ current: state({ strapiVersion: '5.55.0', pluginVersion: '0.2.0', plugins: { i18n: '5.55.0', 'users-permissions': '5.54.1', seo: '1.0.0' } }) }),
    );
    expect(change).toEqual({
      trigger: 'pre-update',
      lines: ['Strapi 5.54.0 → 5.55.0', 'strapi-plugin-backup 0.1.0 → 0.2.0', 'plugin users-permissions 5.54.0 → 5.54.1', 'plugin seo 1.0.0 added'],
      losses: [],
    });
  });

  it('plugins that move with Strapi are not listed one by one', () => {
    const change = describeChange(facts({ current: state({ strapiVersion: '5.55.0', plugins: { i18n: '5.55.0', 'users-permissions': '5.55.0' } }) }));
    expect(change?.lines).toEqual(['Strapi 5.54.0 → 5.55.0']);
  });

  it('a removed plugin is a pre-uninstall', () => {
    const change = describeChange(facts({ current: state({ plugins: { i18n: '5.54.0' } }) }));
    expect(change).toMatchObject({ trigger: 'pre-uninstall', losses: ['plugin users-permissions removed'] });
  });

  it('a removed content type names the tables the sync drops, its own and those named after it', () => {
    const change = describeChange(
      facts({
        contentTypes: { 'api::page.page': page },
        schema: { ...noSchemaChange, removedTables: ['articles', 'articles_cmps', 'articles_author_lnk'] },
      }),
    );
    expect(change).toMatchObject({
      trigger: 'pre-uninstall',
      lines: ['content type api::article.article removed (tables articles, articles_author_lnk, articles_cmps will be dropped)'],
    });
  });

  it('a removed field is a pre-uninstall naming it; its column is not reported twice', () => {
    const now = { ...page, attributes: { title: { type: 'string' } } };
    const change = describeChange(
      facts({
        contentTypes: { 'api::page.page': now, 'api::article.article': article },
        schema: { ...noSchemaChange, updatedTables: ['pages'], removedColumns: [{ table: 'pages', column: 'summary' }] },
      }),
    );
    expect(change).toEqual({
      trigger: 'pre-uninstall',
      lines: ['field `summary` removed from api::page.page'],
      losses: ['field `summary` removed from api::page.page'],
    });
  });

  it('a removed relation field takes its link table with it', () => {
    const before = { ...article, attributes: { ...article.attributes, coverImage: { type: 'relation' } } };
    const change = describeChange(
      facts({
        oldContentTypes: { 'api::page.page': page, 'api::article.article': before },
        schema: { ...noSchemaChange, removedTables: ['articles_cover_image_lnk'] },
      }),
    );
    expect(change?.lines).toEqual(['field `coverImage` removed from api::article.article']);
  });

  it('added fields, content types and components, and type changes are a pre-update', () => {
    const now = { ...page, attributes: { title: { type: 'text' }, summary: { type: 'text' }, slug: { type: 'uid' } } };
    const change = describeChange(
      facts({
        contentTypes: { 'api::page.page': now, 'api::article.article': article, 'api::tag.tag': { collectionName: 'tags', attributes: {} } },
        current: state({ components: { 'shared.seo': 'components_shared_seos', 'shared.quote': 'components_shared_quotes' } }),
        schema: { ...noSchemaChange, addedTables: ['tags', 'components_shared_quotes'], updatedTables: ['pages'] },
      }),
    );
    expect(change).toEqual({
      trigger: 'pre-update',
      lines: [
        'field `title` of api::page.page changes type (string → text)',
        'field `slug` added to api::page.page',
        'content type api::tag.tag added',
        'component shared.quote added',
      ],
      losses: [],
    });
  });

  it('a removed component, and drops no type explains, are losses of their own', () => {
    const change = describeChange(
      facts({
        current: state({ components: {} }),
        schema: { ...noSchemaChange, removedTables: ['components_shared_seos', 'legacy_things'], removedColumns: [{ table: 'pages', column: 'old_col' }] },
      }),
    );
    expect(change?.losses).toEqual([
      'component shared.seo removed (table components_shared_seos will be dropped)',
      'table legacy_things will be dropped',
      'column `old_col` will be dropped from table pages',
    ]);
  });

  it('a schema change nothing else names, and pending migrations, still count', () => {
    expect(describeChange(facts({ schema: { ...noSchemaChange, updatedTables: ['pages'] } }))?.lines).toEqual(['database schema changes (tables pages)']);
    const many = ['g', 'f', 'e', 'd', 'c', 'b', 'a'];
    expect(describeChange(facts({ schema: { ...noSchemaChange, updatedTables: many } }))?.lines).toEqual([
      'database schema changes (tables a, b, c, d, e and 2 more)',
    ]);
    expect(describeChange(facts({ migrationsPending: true, schema: noSchemaChange }))).toEqual({
      trigger: 'pre-update',
      lines: ['database schema changes', 'database migrations are pending'],
      losses: [],
    });
  });

  it('without a schema change, a removed content type is not described (the sync leaves its table)', () => {
    expect(describeChange(facts({ contentTypes: { 'api::page.page': page } }))).toBeNull();
  });
});

describe('disabledBy', () => {
  it('names the key that turned this kind of backup off', () => {
    const update = describeChange(facts({ current: state({ strapiVersion: '5.55.0' }) }))!;
    const uninstall = describeChange(facts({ current: state({ plugins: {} }) }))!;
    expect(disabledBy(update, { preUpdate: false, preUninstall: true })).toBe('hooks.preUpdate');
    expect(disabledBy(uninstall, { preUpdate: false, preUninstall: true })).toBeNull();
    expect(disabledBy(uninstall, { preUpdate: true, preUninstall: false })).toBe('hooks.preUninstall');
    expect(disabledBy(update, { preUpdate: true, preUninstall: false })).toBeNull();
  });
});

describe('failureMessage', () => {
  it('says what failed, what the boot would lose, and the key that lets it go on', () => {
    const change = describeChange(facts({ current: state({ plugins: { i18n: '5.54.0' } }) }))!;
    expect(failureMessage(change, 'EACCES: permission denied')).toMatch(
      /pre-uninstall backup .* failed: EACCES: permission denied\. .*database is untouched; without a backup this boot would lose: plugin users-permissions removed\. .*hooks\.failOpen: true/,
    );
  });
});

describe('currentState', () => {
  // Strapi loads components in no fixed order; the recorded state must not change with it.
  const strapiWith = (components: Record<string, { collectionName: string }>, plugins: Record<string, unknown>) =>
    ({ components, config: { get: (key: string) => (key === 'enabledPlugins' ? plugins : key === 'info.strapi' ? '5.54.0' : null) } }) as any;

  it('is the same text whatever order the components and plugins were loaded in', () => {
    const a = currentState(
      strapiWith(
        { 'shared.seo': { collectionName: 'components_shared_seos' }, 'blocks.text': { collectionName: 'components_blocks_texts' } },
        { upload: {}, i18n: {} },
      ),
    );
    const b = currentState(
      strapiWith(
        { 'blocks.text': { collectionName: 'components_blocks_texts' }, 'shared.seo': { collectionName: 'components_shared_seos' } },
        { i18n: {}, upload: {} },
      ),
    );
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(Object.keys(a.components)).toEqual(['blocks.text', 'shared.seo']);
  });
});
