module.exports = {
    testEnvironment: 'jsdom',
    roots: ['<rootDir>/src'],
    transform: {'^.+\\.tsx?$': ['ts-jest', {tsconfig: '<rootDir>/tsconfig.json'}]},
    setupFilesAfterEnv: ['@testing-library/jest-dom'],
    moduleNameMapper: {'\\.svg$': '<rootDir>/src/tests/icon_stub.ts'},
};
