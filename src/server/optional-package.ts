// Drivers and extras are optional peer dependencies, so a plain install stays small. A feature
// that needs one loads it on first use and, when it is not installed, says which package to add.

/** An optional peer dependency a feature needs is not installed. */
export class MissingPackageError extends Error {
  constructor(
    readonly packageName: string,
    feature: string,
  ) {
    super(`${feature} needs the optional package '${packageName}', which is not installed: run npm install ${packageName}.`);
    this.name = 'MissingPackageError';
  }
}

/** Whether `error` is Node's "cannot find module" for `packageName` (ESM or CJS resolution). */
export function isMissingPackage(error: unknown, packageName: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    typeof message === 'string' &&
    (message.includes(`'${packageName}'`) || message.includes(`'${packageName}/`))
  );
}

/** Runs `load`; a missing `packageName` becomes a `MissingPackageError` naming `feature`. */
export async function loadOptional<T>(packageName: string, feature: string, load: () => Promise<T> | T): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isMissingPackage(error, packageName)) throw new MissingPackageError(packageName, feature);
    throw error;
  }
}
