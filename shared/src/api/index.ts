export * from './client';
export * from './paths';
export * from './route';
export * from './routes';
export { openApiDocumentSchema } from './routes/reference';
