// Keep every snapshot in the top-level __snapshots__/ folder, named after its test file.
const path = require('path');
const root = path.resolve(__dirname, '..');
const snapDir = path.join(root, '__snapshots__');

module.exports = {
  resolveSnapshotPath: (testPath, ext) => path.join(snapDir, path.relative(path.join(root, 'test'), testPath) + ext),
  resolveTestPath: (snapPath, ext) => path.join(root, 'test', path.relative(snapDir, snapPath).slice(0, -ext.length)),
  testPathForConsistencyCheck: path.join(root, 'test', 'example.test.ts'),
};
