/** Placeholder: routes being written. */
import type { FastifyInstance } from 'fastify';
import type { RouteDependencies } from '../http/server.ts';

export async function authRoutes(_app: FastifyInstance, _deps: RouteDependencies) {}
