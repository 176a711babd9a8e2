import js from '@eslint/js';
import react from 'eslint-plugin-react';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
    {ignores: ['**/dist/**', '**/node_modules/**', 'e2e/.stack/**', 'e2e/artifacts/**', '**/*.config.js']},
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ['**/*.{ts,tsx}'],
        languageOptions: {globals: {...globals.browser, ...globals.node, ...globals.jest}},
        plugins: {react, 'react-hooks': reactHooks},
        settings: {react: {version: '18.3'}},
        rules: {
            ...react.configs.recommended.rules,
            ...react.configs['jsx-runtime'].rules,
            ...reactHooks.configs.recommended.rules,
            '@typescript-eslint/no-explicit-any': 'error',
            '@typescript-eslint/consistent-type-imports': 'error',
            eqeqeq: 'error',
            'no-console': 'error',
            // TypeScript checks component props.
            'react/prop-types': 'off',
        },
    },
);
