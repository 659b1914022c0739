/** @module Where each resource lives, for Location headers: one place that knows the URL layout. */
export const API_PREFIX = '/api/v1';

export const workflowLocation = (id: string) => `${API_PREFIX}/workflows/${encodeURIComponent(id)}`;

export const versionLocation = (id: string, version: number) => `${workflowLocation(id)}/versions/${version}`;

export const executionLocation = (id: string) => `${API_PREFIX}/executions/${encodeURIComponent(id)}`;

export const conversationLocation = (id: string) => `${API_PREFIX}/conversations/${encodeURIComponent(id)}`;
