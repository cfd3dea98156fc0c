export const ADULT_AGE = 18;

export function isAdult(age) {
  return age >= ADULT_AGE;
}
