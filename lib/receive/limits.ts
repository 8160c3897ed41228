/** SNS refuses a message whose body plus attributes exceed 256 KiB. */
export const SNS_MAX_MESSAGE_BYTES = 262_144

/**
 * The largest body accepted: 240 KiB leaves 16 KiB for the message's wrapper and attributes
 * under SNS's limit, and the stored item (body plus ledger fields) far below DynamoDB's.
 */
export const MAX_BODY_BYTES = 245_760
