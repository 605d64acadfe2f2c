/**
 * Interchange with the tools people already have: packet captures (pcap, pcapng) and brz's
 * own `-Dhpss` logs in, pcapng out. Pure: bytes and text in, trace events out.
 */
export { CaptureImporter, type CaptureImport } from './capture-import';
export { captureFormatOf, CaptureReader, CaptureFormatError, type CaptureFormat, type CapturedPacket } from './capture-reader';
export { toBase64, fromBase64 } from './base64';
export { importBrzLog, isBrzLog, type BrzLogImport, type BrzProcess } from './brz-log';
export { exportPcapng, BZR_PORT, type ExportOptions, type PcapngExport } from './trace-export';
