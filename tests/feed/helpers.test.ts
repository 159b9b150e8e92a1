import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { wellFormednessErrors } from './helpers.ts';

describe('wellFormednessErrors', () => {
  it.each([
    ['a "<" in an attribute value', '<a b="<"/>'],
    ['a bare "&" in an attribute value', '<a b="x & y"/>'],
    ['a C0 control character', '<a>\u0001</a>'],
    ['"]]>" in text', '<a>x ]]> y</a>'],
    ['a CDATA section closed twice', '<a><![CDATA[x]]>]]></a>'],
    ['an undeclared namespace prefix', '<a><dc:creator>x</dc:creator></a>'],
  ])('reports %s, which fast-xml-parser accepts', (_what, xml) => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(wellFormednessErrors(xml)).not.toEqual([]);
  });

  it('accepts references, CDATA and prefixes declared on an ancestor or the element itself', () => {
    const xml = [
      '<?xml version="1.0"?>',
      '<r xmlns:x="urn:x" a="&#x3C;&amp;&#x9;">',
      '<x:e>&#x26; <![CDATA[<b>]]&gt;</b>]]></x:e>',
      '<y:e xmlns:y="urn:y" y:a="1"/>',
      '</r>',
    ].join('\n');
    expect(wellFormednessErrors(xml)).toEqual([]);
  });
});
