import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'

/**
 * Awaits a write that carries a ConditionExpression: true when it was made, false when its
 * condition did not hold (an expected answer, not an error); any other failure is thrown.
 */
export async function conditionHeld(write: Promise<unknown>): Promise<boolean> {
  try {
    await write
    return true
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false
    throw error
  }
}
