/**
 * The shape every route file satisfies: Strapi's own route input, with the handler checked by the
 * compiler against the controllers this plugin registers: a mistyped handler is a build error.
 */
import type { Core } from '@strapi/strapi';
import type controllers from '../controllers';

type Controllers = typeof controllers;

/** `controller.action`, for every action of every controller. */
export type Handler = {
  [Name in keyof Controllers]: `${Name & string}.${keyof ReturnType<Controllers[Name]> & string}`;
}[keyof Controllers];

export type PluginRoute = Omit<Core.RouteInput, 'handler'> & { handler: Handler };
