// The Luhn (mod-10) check digit of payment card numbers (ISO/IEC 7812-1), also used by several national ids.
// It catches every single-digit error and most swaps of adjacent digits, so a random digit run passes 1 in 10.
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    // Every second digit from the right (the check digit being the first) is doubled, 10–18 folded to 1–9.
    let digit = digits.charCodeAt(digits.length - 1 - index) - 48;
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
