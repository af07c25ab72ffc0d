/**
 * Every string of the admin panel is translatable: each `t('key', 'English')` in admin/src has
 * the same English in translations/en.json, and the keys built from server lists (statuses,
 * kinds, triggers, reasons, restore steps) exist for every value of those lists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RECORD_KINDS, RECORD_STATUSES, RESTORE_STEPS, STATUS_REASONS, TRIGGERS } from '../../shared/constants';
import { STEP_LABELS } from '../../admin/src/utils/restore';

const ADMIN = path.resolve(__dirname, '../../admin/src');
const en: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ADMIN, 'translations/en.json'), 'utf8'));

const sources = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });

/** `t('records.title', 'Backups')`, `{ id: getTranslation('x'), defaultMessage: 'y' }` and column lists `['records.column.kind', 'Kind']`. */
const CALLS = [
  /\bt\(\s*'([^']+)',\s*'((?:[^'\\]|\\.)*)'/g,
  /id: getTranslation\('([^']+)'\), defaultMessage: '((?:[^'\\]|\\.)*)'/g,
  /\[\s*'([a-z]+\.[\w.-]+)',\s*'((?:[^'\\]|\\.)*)'\s*\]/g,
];

describe('admin translations', () => {
  const used = sources(ADMIN).flatMap((file) => {
    const text = fs.readFileSync(file, 'utf8');
    return CALLS.flatMap((re) => [...text.matchAll(re)].map((m) => ({ file: path.relative(ADMIN, file), key: m[1], message: m[2].replace(/\\'/g, "'") })));
  });

  it('finds the strings of the admin panel', () => {
    expect(used.length).toBeGreaterThan(100);
  });

  it('has every literal key in en.json with the same English', () => {
    const wrong = used
      .filter(({ key, message }) => en[key] !== message)
      .map(({ file, key, message }) => `${file}: ${key} = ${JSON.stringify(message)}, en.json: ${JSON.stringify(en[key])}`);
    expect(wrong).toEqual([]);
  });

  it('has the keys built from the server lists', () => {
    const expected = [
      ...RECORD_STATUSES.map((s) => `status.${s}`),
      ...RECORD_KINDS.map((k) => `kind.${k}`),
      ...TRIGGERS.map((t) => `trigger.${t}`),
      ...STATUS_REASONS.map((r) => `reason.${r}`),
      ...RESTORE_STEPS.map((s) => `step.${s}`),
    ];
    expect(expected.filter((key) => !(key in en))).toEqual([]);
  });

  it('names every progress step with the same English as en.json', () => {
    const wrong = Object.entries(STEP_LABELS).filter(([step, label]) => en[`step.${step}`] !== label);
    expect(wrong).toEqual([]);
  });
});
