// Where FAT's on-disk fields lie (Microsoft "FAT: General Overview of On-Disk Format" 1.03): the boot
// sector and BPB (3.1-3.3), FSInfo (5), the short (6) and long-name (7) directory entries. One source
// of truth for the reader (fat-volume.ts) and the writer (fat32-layout.ts, fat-entries.ts).

/** FAT spec 3.1-3.3: byte offsets in the boot sector (the FAT32 fields from BPB_FATSz32 on). */
export const bootSectorFields = {
  jmpBoot: 0, // BS_jmpBoot
  oemName: 3, // BS_OEMName
  bytesPerSector: 11, // BPB_BytsPerSec
  sectorsPerCluster: 13, // BPB_SecPerClus
  reservedSectors: 14, // BPB_RsvdSecCnt
  fatCount: 16, // BPB_NumFATs
  rootEntryCount: 17, // BPB_RootEntCnt
  totalSectors16: 19, // BPB_TotSec16
  media: 21, // BPB_Media
  fatSectors16: 22, // BPB_FATSz16
  sectorsPerTrack: 24, // BPB_SecPerTrk
  headCount: 26, // BPB_NumHeads
  hiddenSectors: 28, // BPB_HiddSec
  totalSectors32: 32, // BPB_TotSec32
  fatSectors32: 36, // BPB_FATSz32
  rootCluster: 44, // BPB_RootClus
  fsInfoSector: 48, // BPB_FSInfo
  backupBootSector: 50, // BPB_BkBootSec
  driveNumber: 64, // BS_DrvNum (FAT32)
  bootSignature: 66, // BS_BootSig (FAT32)
  volumeId: 67, // BS_VolID (FAT32)
  volumeLabel: 71, // BS_VolLab (FAT32)
  fileSystemType: 82, // BS_FilSysType (FAT32)
  signature: 510, // 0x55 0xAA
} as const;

/** FAT spec 3.2: the extended boot fields of FAT12 and FAT16, where FAT32 keeps BPB_FATSz32 and the rest. */
export const fat16BootSectorFields = {
  driveNumber: 36, // BS_DrvNum
  bootSignature: 38, // BS_BootSig
  volumeId: 39, // BS_VolID
  volumeLabel: 43, // BS_VolLab
  fileSystemType: 54, // BS_FilSysType
  bootCode: 62, // where the boot code starts after the fields
} as const;

/** FAT spec 5: byte offsets in the FSInfo sector. */
export const fsInfoFields = { leadSignature: 0, structureSignature: 484, freeCount: 488, nextFree: 492, trailSignature: 508 } as const;

export const directoryEntryBytes = 32;

/** FAT spec 6: byte offsets in a short directory entry. */
export const directoryEntryFields = {
  name: 0, // DIR_Name, 11 bytes
  attributes: 11, // DIR_Attr
  ntReserved: 12, // DIR_NTRes: Windows NT's lower-case bits
  createdHundredths: 13, // DIR_CrtTimeTenth
  createdTime: 14, // DIR_CrtTime
  createdDate: 16, // DIR_CrtDate
  accessedDate: 18, // DIR_LstAccDate
  firstClusterHigh: 20, // DIR_FstClusHI
  writtenTime: 22, // DIR_WrtTime
  writtenDate: 24, // DIR_WrtDate
  firstClusterLow: 26, // DIR_FstClusLO
  fileSize: 28, // DIR_FileSize
} as const;

/** FAT spec 7: byte offsets in a long-name entry. */
export const longNameFields = { ordinal: 0, attributes: 11, checksum: 13 } as const;
/** FAT spec 7: LDIR_Name1 (5 UTF-16 units at 1), LDIR_Name2 (6 at 14), LDIR_Name3 (2 at 28). */
export const longNameUnitRuns = [
  [1, 5],
  [14, 6],
  [28, 2],
] as const;
/** FAT spec 7: LDIR_Ord of the last (first stored) long-name entry carries this bit. */
export const lastLongNameEntry = 0x40;

/** FAT spec 6 (DIR_Attr). */
export const fatAttributes = { readOnly: 0x01, hidden: 0x02, system: 0x04, volumeId: 0x08, directory: 0x10, archive: 0x20, longName: 0x0f } as const;
/** DIR_NTRes bits 3 and 4 (Windows NT): base / extension stored upper-case but shown lower-case. */
export const ntLowerCase = { base: 0x08, extension: 0x10 } as const;
