import { describe, expect, it } from 'vitest';
import { abaValid, cardBrandPlausible, ibanMod97Valid, jwtHeaderValid, luhnValid, ssnValid } from '../../../src/pii/validators.ts';

describe('pii validators', () => {
  it('Luhn accepts valid card numbers and rejects a one-digit change', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111 1111 1111 1111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('378282246310005')).toBe(true);
  });

  it('card brands: known prefixes with their lengths; epoch milliseconds are not cards', () => {
    expect(cardBrandPlausible('4111111111111111')).toBe(true);
    expect(cardBrandPlausible('378282246310005')).toBe(true);
    expect(cardBrandPlausible('37828224631000')).toBe(false); // Amex is 15 digits
    expect(cardBrandPlausible('2221000000000009')).toBe(true); // Mastercard 2-series
    expect(cardBrandPlausible('1700000000000')).toBe(false); // a 13-digit epoch-ms timestamp
  });

  it('SSN rules: area 000, 666, 900-999, group 00 and serial 0000 are invalid', () => {
    expect(ssnValid('460', '89', '9847')).toBe(true);
    expect(ssnValid('000', '12', '3456')).toBe(false);
    expect(ssnValid('666', '12', '3456')).toBe(false);
    expect(ssnValid('901', '12', '3456')).toBe(false);
    expect(ssnValid('123', '00', '3456')).toBe(false);
    expect(ssnValid('123', '45', '0000')).toBe(false);
  });

  it('IBAN mod-97 accepts the ISO example and rejects a typo', () => {
    expect(ibanMod97Valid('GB82WEST12345698765432')).toBe(true);
    expect(ibanMod97Valid('GB82WEST12345698765433')).toBe(false);
    expect(ibanMod97Valid('DE89370400440532013000')).toBe(true);
  });

  it('ABA routing checksum', () => {
    expect(abaValid('011000015')).toBe(true); // Federal Reserve Bank of Boston
    expect(abaValid('011000016')).toBe(false);
    expect(abaValid('000000000')).toBe(false);
  });

  it('JWT header must decode to JSON naming alg or typ', () => {
    expect(jwtHeaderValid(Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url'))).toBe(true);
    expect(jwtHeaderValid(Buffer.from('{"hello":1}').toString('base64url'))).toBe(false);
    expect(jwtHeaderValid('eyJ!!')).toBe(false);
  });
});
