export * from './errors';
export * from './limits';
export * from './names';
export * from './password-policy';
export * from './schemas';
export * from './secrets';
export * from './api';
export * from './pages';
