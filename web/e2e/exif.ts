/**
 * Test photos with a capture date: a JPEG with a minimal EXIF block (IFD0 DateTime) put right
 * after its SOI marker, so the ingest service reads `taken_at` from it.
 */

/** `date` as EXIF writes it: "YYYY:MM:DD HH:MM:SS". */
export function withExifDate(jpeg: Buffer, date: string): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error("not a JPEG");
  if (!/^\d{4}:\d{2}:\d{2} \d{2}:\d{2}:\d{2}$/.test(date)) throw new Error(`bad EXIF date ${date}`);
  const value = Buffer.from(`${date}\0`, "ascii"); // 20 bytes
  // TIFF header (little endian), IFD0 at offset 8 with one entry, no next IFD, then the value.
  const tiff = Buffer.alloc(8 + 2 + 12 + 4 + value.length);
  tiff.write("II", 0, "ascii");
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(1, 8);
  tiff.writeUInt16LE(0x0132, 10); // DateTime
  tiff.writeUInt16LE(2, 12); // ASCII
  tiff.writeUInt32LE(value.length, 14);
  tiff.writeUInt32LE(8 + 2 + 12 + 4, 18); // where the value starts
  tiff.writeUInt32LE(0, 22);
  value.copy(tiff, 26);
  const payload = Buffer.concat([Buffer.from("Exif\0\0", "binary"), tiff]);
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xffe1, 0);
  segment.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), segment, payload, jpeg.subarray(2)]);
}
