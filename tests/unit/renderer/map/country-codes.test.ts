import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  allAlpha2,
  alpha2ToNumeric,
  countryName,
  isCountryCode,
  numericToAlpha2,
  shapeAlpha2,
} from '../../../../renderer/src/features/map/country-codes.ts';

const require = createRequire(import.meta.url);

interface Atlas {
  objects: { countries: { geometries: Array<{ id?: string; properties: { name: string } }> } };
}

function atlas(file: string): Atlas {
  return JSON.parse(readFileSync(require.resolve(`world-atlas/${file}`), 'utf8')) as Atlas;
}

/** Lower case, accents and punctuation gone, common abbreviations spelled out. */
function norm(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\bis\.?(?=\s|$)/g, 'islands')
    .replace(/\bst\.?(?=\s|-|$)/g, 'saint')
    .replace(/\brep\.?(?=\s|$)/g, 'republic')
    .replace(/\bdem\.?(?=\s|$)/g, 'democratic')
    .replace(/\bfr\.?(?=\s|$)/g, 'french')
    .replace(/&/g, 'and')
    .replace(/[^a-z]+/g, ' ')
    .trim();
}

/**
 * world-atlas (Natural Earth) and ICU name some countries differently enough that no
 * normalisation joins them; each pair here was checked by hand to be the same place.
 */
const SAME_PLACE: Record<string, string> = {
  TR: 'turkey',
  // Natural Earth draws Australia's Ashmore and Cartier Islands as a shape of its own.
  AU: 'ashmore and cartier islands',
  CD: 'democratic republic congo',
  GQ: 'eq guinea',
  HM: 'heard i and mcdonald islands',
  IO: 'br indian ocean ter',
  PS: 'palestine',
  TF: 'french s antarctic lands',
  VC: 'saint vin and gren',
  GS: 's geo and the islands',
  CV: 'cabo verde',
  FO: 'faeroe islands',
  SS: 's sudan',
  EH: 'w sahara',
};

describe('ISO 3166-1 alpha-2 ↔ numeric', () => {
  it('has the 249 officially assigned codes, each numeric once', () => {
    const codes = allAlpha2();
    expect(codes).toHaveLength(249);
    expect(new Set(codes.map((c) => alpha2ToNumeric(c))).size).toBe(249);
    for (const c of codes) expect(numericToAlpha2(alpha2ToNumeric(c) as string)).toBe(c);
  });

  it('maps every numbered world-atlas shape (50m, the most complete) to a code', () => {
    const missing = atlas('countries-50m.json')
      .objects.countries.geometries.filter((g) => g.id !== undefined && numericToAlpha2(g.id) === null)
      .map((g) => `${g.id} ${g.properties.name}`);
    expect(missing).toEqual([]);
  });

  it('pairs each numeric code with the country world-atlas and ICU both name', () => {
    const icu = new Intl.DisplayNames(['en'], { type: 'region' });
    const mismatches: string[] = [];
    let compared = 0;
    for (const g of atlas('countries-50m.json').objects.countries.geometries) {
      if (g.id === undefined) continue;
      const alpha2 = numericToAlpha2(g.id) as string;
      const fromAtlas = norm(g.properties.name);
      const fromIcu = norm(icu.of(alpha2) ?? '');
      compared++;
      if (fromAtlas === fromIcu || SAME_PLACE[alpha2] === fromAtlas) continue;
      // One name containing the other ("bahamas" / "the bahamas", "gambia" / "the gambia").
      if (fromIcu.includes(fromAtlas) || fromAtlas.includes(fromIcu)) continue;
      mismatches.push(`${g.id} ${alpha2}: atlas "${g.properties.name}" vs ICU "${icu.of(alpha2)}"`);
    }
    expect(compared).toBeGreaterThan(230);
    expect(mismatches).toEqual([]);
  });

  it('names Kosovo, which world-atlas draws without an id', () => {
    const shapes = atlas('countries-110m.json').objects.countries.geometries;
    const kosovo = shapes.find((g) => g.properties.name === 'Kosovo');
    expect(kosovo?.id).toBeUndefined();
    expect(shapeAlpha2(kosovo?.id, kosovo?.properties.name)).toBe('XK');
    expect(isCountryCode('xk')).toBe(true);
    expect(countryName('XK')).toBe('Kosovo');
  });

  it('reads padded and unpadded numeric ids and rejects what ISO does not assign', () => {
    expect(numericToAlpha2('4')).toBe('AF');
    expect(numericToAlpha2(4)).toBe('AF');
    expect(alpha2ToNumeric('sg')).toBe('702');
    expect(alpha2ToNumeric('ZZ')).toBeNull();
    expect(isCountryCode('EU')).toBe(false);
    expect(isCountryCode(null)).toBe(false);
  });

  it('names countries in English with the engine name, then the code, as fallback', () => {
    expect(countryName('SG')).toBe('Singapore');
    expect(countryName('de')).toBe('Germany');
    expect(countryName('QQ', 'Somewhere')).toBe('Somewhere');
    expect(countryName('QQ')).toBe('QQ');
  });
});
