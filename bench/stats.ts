/** The middle value (the upper middle of an even count). */
export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The lowest and highest value: the spread of a run's rounds, printed beside their median. */
export const spreadOf = (values: number[]): [number, number] => [Math.min(...values), Math.max(...values)];
