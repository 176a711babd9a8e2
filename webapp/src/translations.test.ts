import fs from 'node:fs';
import path from 'node:path';

import ts from 'typescript';

import de from './i18n/de.json';
import {messages} from './messages';
import {translations} from './translations';

// The ICU arguments a message reads: {name}, {count, plural, ...} and the like.
function argumentsOf(message: string): string[] {
    return [...message.matchAll(/\{\s*([A-Za-z_]\w*)\s*[,}]/g)].map((m) => m[1] ?? '').sort();
}

const english = Object.values(messages).map((m) => ({id: m.id, text: String(m.defaultMessage)}));
const german: Record<string, string> = de;

test('German words every message, with the same arguments as the English', () => {
    for (const {id, text} of english) {
        expect({id, german: german[id] !== undefined}).toEqual({id, german: true});
        expect({id, args: argumentsOf(german[id] ?? '')}).toEqual({id, args: argumentsOf(text)});
    }
    const known = new Set(english.map((m) => m.id));
    expect(Object.keys(german).filter((id) => !known.has(id))).toEqual([]);
});

test('a German user gets German, anyone else English', () => {
    expect(translations.de?.['buildbot.button.rebuild']).toBe('Neu bauen');
    expect(translations.en?.['buildbot.button.rebuild']).toBe('Rebuild');
});

// Props whose text a person reads, or a screen reader says.
const shownProps = new Set(['aria-label', 'title', 'placeholder', 'alt']);

// untranslated lists the text a component shows as written in its source, not through intl.
function untranslated(fileName: string, source: string): string[] {
    const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
    const found: string[] = [];
    const where = (node: ts.Node) => `${fileName}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const visit = (node: ts.Node): void => {
        if (ts.isJsxText(node) && /\p{L}/u.test(node.text)) {
            found.push(`${where(node)}: ${node.text.trim()}`);
        }
        if (ts.isJsxAttribute(node) && shownProps.has(node.name.getText(file)) && node.initializer) {
            const value = ts.isJsxExpression(node.initializer) ? node.initializer.expression : node.initializer;
            if (value && (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) && /\p{L}/u.test(value.text)) {
                found.push(`${where(node)}: ${node.name.getText(file)}="${value.text}"`);
            }
        }
        ts.forEachChild(node, visit);
    };
    visit(file);
    return found;
}

function components(dir: string): string[] {
    return fs.readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            return entry.name === 'tests' ? [] : components(full);
        }
        return entry.name.endsWith('.tsx') && !entry.name.endsWith('.test.tsx') ? [full] : [];
    });
}

test('no component shows text without a translation id', () => {
    const files = components(__dirname);
    expect(files.length).toBeGreaterThan(3);
    expect(files.flatMap((f) => untranslated(path.relative(__dirname, f), fs.readFileSync(f, 'utf8')))).toEqual([]);
});

test('the check finds literal text and literal labels, and lets formatted ones pass', () => {
    const source = `
        export const A = () => <button aria-label="Stop the build">Stop</button>;
        export const B = ({intl}) => <button aria-label={intl.formatMessage(m.stop)} title={'Rebuild it'}>{intl.formatMessage(m.stop)} · 12</button>;
    `;

    expect(untranslated('x.tsx', source)).toEqual(['x.tsx:2: aria-label="Stop the build"', 'x.tsx:2: Stop', 'x.tsx:3: title="Rebuild it"']);
});
