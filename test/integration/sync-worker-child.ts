/**
 * A Shopsight worker process for sync.test.ts's kill -9 test: `createApp` in the worker role on the test
 * database given by DATABASE_URL (and the parent's keys), running queued sync jobs until it is killed.
 */
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';

const app = await createApp(loadConfig(), 'worker');
process.stdout.write('ready\n');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
