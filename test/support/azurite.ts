/**
 * Azurite for tests: one in-memory instance per test file on free ports (`useAzurite()` registers
 * beforeAll/afterAll). The emulator itself is started by `shared/local/azurite.ts`.
 */
import { startAzurite, type AzuriteInstance } from '../../shared/local/azurite';

export {
  AZURITE_ACCOUNT_KEY,
  AZURITE_ACCOUNT_NAME,
  azuriteConnectionString,
  freePort,
  startAzurite,
  type AzuriteInstance,
  type AzuritePorts,
} from '../../shared/local/azurite';

/**
 * Starts Azurite in `beforeAll` and stops it in `afterAll` of the calling test file; returns a
 * getter for the instance (valid inside tests).
 */
export function useAzurite(): () => AzuriteInstance {
  let instance: AzuriteInstance | undefined;
  beforeAll(async () => {
    instance = await startAzurite();
  }, 40_000);
  afterAll(async () => {
    await instance?.stop();
  });
  return () => {
    if (instance === undefined)
      throw new Error('Azurite is not running (useAzurite() must be called at describe level)');
    return instance;
  };
}
