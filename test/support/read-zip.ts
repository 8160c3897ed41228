import { readFileSync } from 'node:fs'
import { inflateRawSync } from 'node:zlib'

const END_OF_CENTRAL_DIRECTORY = 0x06054b50
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50
const LOCAL_FILE_HEADER = 0x04034b50
const STORED = 0
const DEFLATED = 8

function findEndOfCentralDirectory(zip: Buffer): number {
  // The record is 22 bytes plus a comment of at most 64 KiB, at the very end.
  for (let offset = zip.length - 22; offset >= Math.max(0, zip.length - 22 - 0xffff); offset--) {
    if (zip.readUInt32LE(offset) === END_OF_CENTRAL_DIRECTORY) return offset
  }
  throw new Error('Not a zip file: no end of central directory record')
}

/**
 * Every file of a (non-ZIP64) zip archive, name to content. Enough to inspect a Lambda package
 * without adding a zip library to the project.
 */
export function readZip(path: string): Map<string, Buffer> {
  const zip = readFileSync(path)
  const end = findEndOfCentralDirectory(zip)
  const entryCount = zip.readUInt16LE(end + 10)
  let offset = zip.readUInt32LE(end + 16)
  const files = new Map<string, Buffer>()
  for (let index = 0; index < entryCount; index++) {
    if (zip.readUInt32LE(offset) !== CENTRAL_DIRECTORY_ENTRY) throw new Error('Corrupt zip entry')
    const method = zip.readUInt16LE(offset + 10)
    const compressedSize = zip.readUInt32LE(offset + 20)
    const nameLength = zip.readUInt16LE(offset + 28)
    const extraLength = zip.readUInt16LE(offset + 30)
    const commentLength = zip.readUInt16LE(offset + 32)
    const localHeader = zip.readUInt32LE(offset + 42)
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength)
    offset += 46 + nameLength + extraLength + commentLength

    if (zip.readUInt32LE(localHeader) !== LOCAL_FILE_HEADER) throw new Error(`Corrupt ${name}`)
    const dataStart =
      localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28)
    const data = zip.subarray(dataStart, dataStart + compressedSize)
    if (method === STORED) files.set(name, Buffer.from(data))
    else if (method === DEFLATED) files.set(name, inflateRawSync(data))
    else throw new Error(`${name} uses unsupported zip compression method ${method}`)
  }
  return files
}
