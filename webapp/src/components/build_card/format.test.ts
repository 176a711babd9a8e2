import {plainText} from './format';

describe('plainText', () => {
    test.each([
        ['a mention split by a word joiner reads whole', '@\u2060channel deploy', '@channel deploy'],
        ['links split by word joiners read whole', 'see https:\u2060//evil.example and www\u2060.evil.example', 'see https://evil.example and www.evil.example'],
        ['a link in escaped brackets reads as typed', '\\[x\\](https:\u2060//evil.example)', '[x](https://evil.example)'],
        ['every escaped Markdown sign loses its backslash', '\\\\ \\` \\* \\_ \\[ \\] \\< \\> \\# \\| \\~ \\!', '\\ ` * _ [ ] < > # | ~ !'],
        ['an escaped backslash before an escaped bracket reads as one backslash and the bracket', '\\\\\\[', '\\['],
        ['a backslash before anything else stays', 'C:\\temp', 'C:\\temp'],
        ['text with nothing escaped stays as it is', 'compile failed in test', 'compile failed in test'],
    ])('%s', (_, escaped, shown) => {
        expect(plainText(escaped)).toBe(shown);
    });
});
