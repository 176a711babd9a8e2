// The e2e suite drives real servers: one test file at a time, with room for builds to run.
module.exports = {
    testEnvironment: 'node',
    roots: ['<rootDir>/tests'],
    transform: {'^.+\\.ts$': ['ts-jest', {tsconfig: '<rootDir>/tsconfig.json'}]},
    testTimeout: 120000,
    verbose: true,
};
