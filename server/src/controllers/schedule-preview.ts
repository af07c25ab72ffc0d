/**
 * What a cron expression means, for the profile editor: the same croner checks the server runs
 * when a profile is saved (validation/cron.ts), so the form and the save never disagree.
 */
import type { Context } from 'koa';
import type { Core } from '@strapi/strapi';
import { getConfig } from '../utils';
import { cronProblem, nextRuns, timezoneProblem } from '../validation/cron';
import { validateSchedulePreviewQuery } from '../validation/schedule-preview';

/** How many upcoming fire times the editor shows. */
const PREVIEW_RUNS = 3;

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx: Context) {
    const { schedule, timezone } = await validateSchedulePreviewQuery(ctx.query);
    // An invalid expression is this endpoint's answer (200), not a bad request: the form shows it.
    const problem = (timezone ? timezoneProblem(timezone) : null) ?? cronProblem(schedule, timezone, getConfig(strapi).schedules.minIntervalSeconds);
    const next = problem ? [] : nextRuns(schedule, timezone, PREVIEW_RUNS).map((date) => date.toISOString());
    ctx.body = { data: { schedule, timezone, problem, next } };
  },
});
