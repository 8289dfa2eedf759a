import { SYNC_STREAMS } from '@unison/contracts';
import type { EdgeStatus } from '../status.ts';
import type { UplinkStatus } from '../uplink/uplink.status.ts';
import type { Recording } from './recording.ts';

/** The per-stream and buffer parts of the edge's status, from the store and the uplink. */
export function streamsStatus(
  recording: Pick<Recording, 'streams' | 'buffer'>,
  cloud: Pick<UplinkStatus, 'streams'>,
): Pick<EdgeStatus, 'streams' | 'buffer'> {
  const local = recording.streams();
  const [events, samples] = SYNC_STREAMS.map((stream) => ({
    backlog: local[stream].rows,
    bytes: local[stream].bytes,
    oldestAgeMs: local[stream].oldestAgeMs,
    ackedSeq: cloud.streams[stream].ackedSeq,
    uploaded: cloud.streams[stream].uploaded,
    dropped: local[stream].dropped,
    quarantined: cloud.streams[stream].quarantined,
  }));
  const { budgetBytes, usedBytes, samplesDropping, eventsOverBudget, alarms } = recording.buffer();
  return {
    streams: { events: events!, samples: samples! },
    buffer: { budgetBytes, usedBytes, samplesDropping, eventsOverBudget, alarms },
  };
}
