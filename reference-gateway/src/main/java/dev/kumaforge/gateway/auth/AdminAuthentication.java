package dev.kumaforge.gateway.auth;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.gateway.consumer.ApiKeyHash;

/**
 * Credentials the admin listener requires ({@code listeners.admin.authentication}).
 *
 * @param tokenHash salted hash of the admin bearer token, see {@link ApiKeyHash}
 */
public record AdminAuthentication(String tokenHash) implements Validatable {
  @Override
  public void validate(Validator v) {
    if (v.required(tokenHash, "tokenHash")) {
      v.check(ApiKeyHash.isValid(tokenHash), "tokenHash", "(not a hash)", ApiKeyHash.EXPECTED);
    }
  }
}
