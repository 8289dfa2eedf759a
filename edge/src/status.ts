export interface EdgeStatus {
  edge: { name: string; plant: string; edgeId?: string; epoch: string };
  samples: { recorded: number; uploaded: number; backlog: number };
  cloud: { status: string; lastError?: string; lastUploadAt?: string };
  connectors: { id: string; type: string; status: string; lastError?: string; rejected?: number }[];
}
